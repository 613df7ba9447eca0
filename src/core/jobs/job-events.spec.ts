import { describe, expect, it } from '@jest/globals';
import { jobEventId, jobEventsChannel, sseFrame } from './job-events.js';

describe('job events', () => {
  it('event ids grow through a job’s life', () => {
    const ids = [jobEventId('pending', 0), jobEventId('processing', 0), jobEventId('processing', 42), jobEventId('processing', 100), jobEventId('completed', 100)];
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1]!);
  });

  it.each(['completed', 'failed', 'canceled'] as const)('%s ranks above any progress', (status) => {
    expect(jobEventId(status, 0)).toBeGreaterThan(jobEventId('processing', 100));
  });

  it('clamps progress into 0–100', () => {
    expect(jobEventId('processing', 250)).toBe(jobEventId('processing', 100));
    expect(jobEventId('processing', -5)).toBe(jobEventId('processing', 0));
  });

  it('writes one SSE frame with id, event and JSON data', () => {
    expect(sseFrame(1042, 'job', { status: 'processing', progress: 42 })).toBe(
      'id: 1042\nevent: job\ndata: {"status":"processing","progress":42}\n\n',
    );
    expect(jobEventsChannel('abc')).toBe('job:abc');
  });
});
