// The Mediary API client: generated from openapi.json (./generated, `npm run client`), plus the
// hand-written helpers below.
export * from './generated/index.js';
export { client } from './generated/client.gen.js';
export { createClient, createConfig, type Client } from './generated/client/index.js';
export { getTranscriptText } from './transcript-text.js';
export { JobWaitError, waitForJob, type WaitForJobOptions } from './wait-for-job.js';
