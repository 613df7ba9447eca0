import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { JOB_HANDLER, type JobHandler } from './job-handler.js';
import { JOB_TYPES, type JobType } from './job-types.js';

/**
 * Job type → the provider that runs it, found by `@HandlesJob` at boot. The application refuses
 * to start when a type has no handler, two handlers, or a handler names a type that is not listed.
 */
@Injectable()
export class JobHandlerRegistry implements OnModuleInit {
  private readonly handlers = new Map<string, JobHandler>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    const found = new Map<string, string[]>();
    for (const wrapper of this.discovery.getProviders()) {
      if (!wrapper.metatype || !wrapper.instance) continue;
      const type = this.reflector.get<string | undefined>(JOB_HANDLER, wrapper.metatype);
      if (!type) continue;
      found.set(type, [...(found.get(type) ?? []), wrapper.name]);
      this.handlers.set(type, wrapper.instance as JobHandler);
    }
    const problems = [
      ...JOB_TYPES.filter((t) => !found.has(t)).map((t) => `job type "${t}" has no handler`),
      ...[...found].filter(([, names]) => names.length > 1).map(([t, names]) => `job type "${t}" has ${names.length} handlers (${names.join(', ')})`),
      ...[...found.keys()].filter((t) => !(JOB_TYPES as readonly string[]).includes(t)).map((t) => `handler for unknown job type "${t}"`),
    ];
    if (problems.length) throw new Error(`Job handlers are misconfigured: ${problems.join('; ')}`);
  }

  get<T extends JobType>(type: T): JobHandler<T> {
    const handler = this.handlers.get(type);
    if (!handler) throw new Error(`no handler for job type ${type}`);
    return handler as unknown as JobHandler<T>;
  }
}
