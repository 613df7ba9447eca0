import { describe, expect, it } from '@jest/globals';
import { checkAnswer, checkWebhook, ContractViolation, violations } from './support/contract.js';

// The checker every spec's answers pass through: it must refuse what the contract does not say.
describe('the openapi.json answer checker', () => {
  const base = new URL('http://127.0.0.1:1/v1/jobs/0d6b8a8e-7c4f-4a37-9a4e-1c3f5e0c2b11');
  const job = {
    id: '0d6b8a8e-7c4f-4a37-9a4e-1c3f5e0c2b11', type: 'download', status: 'pending', progress: 0, platform: null, batch_id: null,
    created_at: '2026-12-01T00:00:00.000Z', started_at: null, completed_at: null, credits_charged: 1, credits_refunded: 0, input: {}, result: null, error: null,
  };
  const refused = (f: () => void) => {
    const before = violations.length;
    expect(f).toThrow(ContractViolation);
    violations.splice(before); // expected here; the setup's end-of-file check is for real answers
  };

  it('accepts a declared answer, nullable result and error included', () => {
    expect(() => checkAnswer('GET', base, 200, 'application/json; charset=utf-8', JSON.stringify(job), () => '1')).not.toThrow();
  });

  it('refuses an undeclared status, content type, member or value, and a missing declared header', () => {
    refused(() => checkAnswer('GET', base, 418, 'application/json', '{}'));
    refused(() => checkAnswer('GET', base, 200, 'text/html', '<p>'));
    refused(() => checkAnswer('GET', base, 200, 'application/json', JSON.stringify({ ...job, surprise: 1 })));
    refused(() => checkAnswer('GET', base, 200, 'application/json', JSON.stringify({ ...job, type: 'transcribe', result: { files: [], outputs_deleted: false, title: null } })));
    refused(() => checkAnswer('GET', base, 404, 'application/problem+json', JSON.stringify({ type: 'urn:mediary:error:nope', title: 'x', status: 404, detail: 'x', code: 'nope' })));
    refused(() => checkAnswer('GET', base, 200, 'application/json', JSON.stringify(job), () => null)); // no X-RateLimit-* headers
  });

  it('refuses a webhook payload its event does not declare', () => {
    expect(() => checkWebhook(JSON.stringify({ type: 'job.completed', timestamp: '2026-12-01T00:00:00.000Z', data: job }))).not.toThrow();
    refused(() => checkWebhook(JSON.stringify({ type: 'job.completed', timestamp: '2026-12-01T00:00:00.000Z', data: { ...job, status: 'done' } })));
    refused(() => checkWebhook(JSON.stringify({ type: 'job.exploded', timestamp: '2026-12-01T00:00:00.000Z', data: {} })));
  });

  it('leaves answers to paths the contract does not list alone', () => {
    expect(() => checkAnswer('GET', new URL('http://127.0.0.1:1/fixtures/video.mp4'), 200, 'video/mp4', undefined)).not.toThrow();
  });
});
