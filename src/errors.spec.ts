import { describe, expect, it } from '@jest/globals';
import { isDependencyDown } from './errors.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDependencyDown', () => {
  it.each<[string, unknown]>([
    ['Postgres stopped', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['Postgres shutting down (through TypeORM)', { message: 'terminating connection due to administrator command', driverError: { code: '57P01' } }],
    ['Postgres starting up', withCode('the database system is starting up', '57P03')],
    ['a connection failure (class 08)', withCode('connection failure', '08006')],
    ['the pool waited in vain', new Error('timeout exceeded when trying to connect')],
    ['a connection dropped mid-query', new Error('Connection terminated unexpectedly')],
    ['Redis silent', new Error('Command timed out')],
    ['Redis gone', new Error('Connection is closed.')],
    ['Redis retried in vain', new Error('Reached the max retries per request limit (which is 2). Refer to "maxRetriesPerRequest" option for details.')],
  ])('%s: yes', (_name, error) => {
    expect(isDependencyDown(error)).toBe(true);
  });

  it.each<[string, unknown]>([
    ['a unique violation', { message: 'duplicate key value violates unique constraint', driverError: { code: '23505' } }],
    ['a missing file', withCode('ENOENT: no such file or directory', 'ENOENT')],
    ['a plain error', new Error('boom')],
    ['nothing', null],
  ])('%s: no', (_name, error) => {
    expect(isDependencyDown(error)).toBe(false);
  });
});
