import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { Module, type INestApplicationContext, type Type } from '@nestjs/common';
import { DiscoveryModule, NestFactory } from '@nestjs/core';
import { HandlesJob, type JobHandler } from './job-handler.js';
import { JobHandlerRegistry } from './job-handler.registry.js';
import { JOB_TYPES, type JobType } from './job-types.js';

/** A provider marked as the handler of `type`, under its own class name (the registry reports names). */
function handlerClass(type: JobType, name: string): Type<JobHandler> {
  @HandlesJob(type)
  class Handler implements JobHandler {
    run(): never {
      throw new Error('not run in this spec');
    }
  }
  Object.defineProperty(Handler, 'name', { value: name });
  return Handler;
}

const handlerOf = (type: JobType) => handlerClass(type, `${type}Handler`);

/** Boots a real Nest application context holding the registry and these handlers, as the app does. */
async function boot(handlers: Type[]): Promise<INestApplicationContext> {
  @Module({ imports: [DiscoveryModule], providers: [JobHandlerRegistry, ...handlers] })
  class JobHandlersTestModule {}
  return NestFactory.createApplicationContext(JobHandlersTestModule, { abortOnError: false, logger: false });
}

/** The message the boot fails with. */
async function bootError(handlers: Type[]): Promise<string> {
  const app = await boot(handlers).catch((err: Error) => err.message);
  if (typeof app === 'string') return app;
  await app.close();
  throw new Error('the application booted');
}

describe('JobHandlerRegistry: the application refuses to boot with misconfigured job handlers', () => {
  it('refuses when a job type has no handler, naming each missing type', async () => {
    const [handled, ...missing] = JOB_TYPES;
    const message = await bootError([handlerOf(handled)]);
    expect(message).toMatch(/^Job handlers are misconfigured: /);
    for (const type of missing) expect(message).toContain(`job type "${type}" has no handler`);
    expect(message).not.toContain(`"${handled}"`);
  });

  it('refuses when one type has two handlers, naming both', async () => {
    const [doubled] = JOB_TYPES;
    const message = await bootError([...JOB_TYPES.map(handlerOf), handlerClass(doubled, 'AnotherHandler')]);
    expect(message).toBe(`Job handlers are misconfigured: job type "${doubled}" has 2 handlers (${doubled}Handler, AnotherHandler)`);
  });

  it('refuses a handler for a type that is not in JOB_TYPES', async () => {
    const stray = handlerClass('hologram' as JobType, 'HologramHandler');
    expect(await bootError([...JOB_TYPES.map(handlerOf), stray])).toBe('Job handlers are misconfigured: handler for unknown job type "hologram"');
  });

  it('boots when every type has exactly one handler, and hands out each instance by type', async () => {
    const handlers = JOB_TYPES.map(handlerOf);
    const app = await boot(handlers);
    try {
      const registry = app.get(JobHandlerRegistry);
      JOB_TYPES.forEach((type, i) => expect(registry.get(type)).toBe(app.get(handlers[i]!)));
      expect(new Set(JOB_TYPES.map((type) => registry.get(type))).size).toBe(JOB_TYPES.length);
    } finally {
      await app.close();
    }
  });
});
