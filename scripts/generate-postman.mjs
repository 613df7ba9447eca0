#!/usr/bin/env node
// `npm run postman`: writes clients/postman/mediary.postman_collection.json from the committed
// openapi.json. Every operation of the spec is one request, in an order that runs as is: ids flow
// from one request to the next through collection variables (create → get → cancel), jobs are
// waited for, and every request tests its status and its body against the operation's schema.
// `--out <file>` writes it elsewhere (the spec that checks the committed collection compares them).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--out');
const out = at > 0 ? path.resolve(process.argv[at + 1]) : path.join(root, 'clients/postman/mediary.postman_collection.json');
const spec = JSON.parse(readFileSync(path.join(root, 'openapi.json'), 'utf8'));

/** Scripts that keep an id (or more) from a response for the requests after it. */
const keep = (...pairs) => pairs.map(([variable, expression]) => `pm.collectionVariables.set('${variable}', ${expression});`);

/** Repeats this request until the job has ended (Postman's own polling idiom), at most 120 times. */
const waitFor = (name, counter) => [
  'const job = pm.response.json();',
  `const tries = Number(pm.collectionVariables.get('${counter}') || 0) + 1;`,
  "if (!['completed', 'failed', 'canceled'].includes(job.status) && tries < 120) {",
  `  pm.collectionVariables.set('${counter}', tries);`,
  `  postman.setNextRequest('${name}');`,
  '  setTimeout(() => {}, 500);',
  '} else {',
  `  pm.collectionVariables.set('${counter}', 0);`,
  "  pm.test('the job completed', () => pm.expect(job.status).to.eql('completed'));",
  '}',
];

/**
 * The runnable order: operationId → what to send, the status to expect and what to keep.
 * Bodies are real requests (one of url and upload_id, never both); `{{…}}` are collection variables.
 */
const FLOW = [
  { op: 'getLiveness', name: 'Liveness' },
  { op: 'getReadiness', name: 'Readiness' },
  { op: 'getHealth', name: 'Health' },
  { op: 'getMetrics', name: 'Metrics' },
  { op: 'getAccount', name: 'Account and balance' },
  { op: 'getInfo', name: 'Metadata of a URL', query: { url: '{{mediaUrl}}' } },
  { op: 'createInfo', name: 'Metadata of a URL (JSON body)', body: { url: '{{mediaUrl}}' } },
  { op: 'listLanguages', name: 'Languages' },
  {
    op: 'createDownload', name: 'Download', body: { url: '{{mediaUrl}}', format: 'mp4', quality: 'best', metadata: { order: 42 } },
    tests: keep(['jobId', 'pm.response.json().job_id']),
  },
  { op: 'getJob', name: 'Wait for the download', path: { id: '{{jobId}}' }, tests: [...waitFor('Wait for the download', 'polls'),
    "const file = (pm.response.json().result || { files: [] }).files[0];",
    'if (file) {',
    "  const [where, search] = file.url.split('?');",
    "  const params = Object.fromEntries(search.split('&').map((p) => p.split('=').map(decodeURIComponent)));",
    "  pm.collectionVariables.set('filename', decodeURIComponent(where.split('/').pop()));",
    "  pm.collectionVariables.set('expires', params.expires);",
    "  pm.collectionVariables.set('signature', params.signature);",
    '}'] },
  { op: 'getFile', name: 'The downloaded file', path: { jobId: '{{jobId}}', filename: '{{filename}}' }, query: { expires: '{{expires}}', signature: '{{signature}}' } },
  { op: 'followJob', name: 'Follow a job (SSE; ends at once for a finished job)', path: { id: '{{jobId}}' } },
  { op: 'listJobs', name: 'List jobs', query: { limit: '10', type: 'download' } },
  {
    op: 'createTranscription', name: 'Transcribe', body: { url: '{{mediaUrl}}', language: 'en', format: 'srt' },
    tests: keep(['transcriptionId', 'pm.response.json().job_id']),
  },
  { op: 'getJob', name: 'Wait for the transcription', path: { id: '{{transcriptionId}}' }, tests: waitFor('Wait for the transcription', 'polls') },
  { op: 'getTranscript', name: 'The transcript as SRT', path: { id: '{{transcriptionId}}' }, query: { format: 'srt' } },
  { op: 'createTranslation', name: 'Translate the transcript', body: { transcript_job_id: '{{transcriptionId}}', target_language: 'es' } },
  { op: 'createPreview', name: 'A 3 × 3 mosaic', body: { url: '{{mediaUrl}}', type: 'mosaic', columns: 3, rows: 3, width: 960 }, tests: keep(['previewId', 'pm.response.json().job_id']) },
  { op: 'getJob', name: 'Wait for the mosaic', path: { id: '{{previewId}}' }, tests: waitFor('Wait for the mosaic', 'polls') },
  { op: 'createFingerprint', name: 'Fingerprint', body: { url: '{{mediaUrl}}' }, tests: keep(['fingerprintId', 'pm.response.json().job_id']) },
  { op: 'getJob', name: 'Wait for the fingerprint', path: { id: '{{fingerprintId}}' }, tests: waitFor('Wait for the fingerprint', 'polls') },
  { op: 'compareFingerprints', name: 'Compare the fingerprint with itself', body: { a: '{{fingerprintId}}', b: '{{fingerprintId}}' } },
  { op: 'searchFingerprints', name: 'Search the library for it', body: { job_id: '{{fingerprintId}}', limit: 5 } },
  { op: 'createComments', name: 'Comments', body: { url: '{{mediaUrl}}', max_comments: 500, sort: 'top' }, tests: keep(['commentsId', 'pm.response.json().job_id']) },
  { op: 'getJob', name: 'Wait for the comments', path: { id: '{{commentsId}}' }, tests: waitFor('Wait for the comments', 'polls') },
  { op: 'listJobComments', name: 'A page of comments', path: { id: '{{commentsId}}' }, query: { limit: '100' } },
  {
    op: 'createBatch', name: 'A batch of downloads', body: { operation: 'download', items: [{ url: '{{mediaUrl}}' }], defaults: { format: 'mp3' } },
    tests: keep(['batchId', 'pm.response.json().batch_id']),
  },
  { op: 'getBatch', name: 'The batch', path: { id: '{{batchId}}' } },
  { op: 'cancelJob', name: 'Delete the download’s files', path: { id: '{{jobId}}' } },
  { op: 'createUpload', name: 'Upload a file (media.mp4 beside the collection)', form: { file: 'media.mp4' }, tests: keep(['uploadId', 'pm.response.json().upload_id']) },
  { op: 'getUpload', name: 'The upload', path: { id: '{{uploadId}}' } },
  { op: 'deleteUpload', name: 'Delete the upload', path: { id: '{{uploadId}}' } },
  { op: 'createKey', name: 'Mint a key', body: { name: 'postman' }, tests: keep(['keyId', 'pm.response.json().id']) },
  { op: 'listKeys', name: 'List keys' },
  { op: 'updateKey', name: 'Narrow the minted key', path: { id: '{{keyId}}' }, body: { scopes: ['jobs:read'], monthly_credit_limit: 100 } },
  { op: 'revokeKey', name: 'Revoke the minted key', path: { id: '{{keyId}}' } },
  { op: 'listLedgerEntries', name: 'Ledger', query: { limit: '20' } },
  { op: 'getUsage', name: 'Usage by operation', query: { group_by: 'operation' } },
  { op: 'listCreditPacks', name: 'Credit packs' },
  { op: 'createCheckout', name: 'Buy a pack (Stripe Checkout)', body: { pack_id: 'starter' } },
  { op: 'listPayments', name: 'Payments', query: { limit: '10' } },
  // Stripe signs its events; one from anywhere else is refused and changes nothing.
  { op: 'receiveStripeEvent', name: 'An unsigned Stripe event is refused', body: { id: 'evt_unsigned', type: 'checkout.session.completed' }, status: 400 },
  { op: 'setWebhookEndpoint', name: 'Set the webhook endpoint', body: { url: '{{webhookUrl}}', events: ['job.completed', 'job.failed', 'batch.completed'] } },
  { op: 'getWebhookEndpoint', name: 'The webhook endpoint' },
  { op: 'getWebhookSecret', name: 'The signing secret' },
  { op: 'rotateWebhookSecret', name: 'Rotate the signing secret' },
  { op: 'testWebhook', name: 'Send a test event', body: {}, tests: keep(['deliveryId', 'pm.response.json().delivery_id']) },
  { op: 'listWebhookDeliveries', name: 'Deliveries', query: { limit: '10' } },
  { op: 'retryWebhookDelivery', name: 'Send the test event again', path: { id: '{{deliveryId}}' } },
  { op: 'deleteWebhookEndpoint', name: 'Remove the webhook endpoint' },
];

const operations = new Map();
for (const [route, item] of Object.entries(spec.paths)) {
  for (const [method, op] of Object.entries(item)) operations.set(op.operationId, { route, method: method.toUpperCase(), op });
}
const missing = [...operations.keys()].filter((id) => !FLOW.some((f) => f.op === id));
if (missing.length) throw new Error(`add these operations to FLOW in scripts/generate-postman.mjs: ${missing.join(', ')}`);

/** The schemas, as the draft-07 JSON Schema Postman's validator reads: refs to `definitions`, no annotations it cannot know. */
function draft7(node) {
  if (Array.isArray(node)) return node.map(draft7);
  if (!node || typeof node !== 'object') return node;
  const outNode = {};
  for (const [k, v] of Object.entries(node)) {
    if (['example', 'examples', 'discriminator', 'description'].includes(k)) continue;
    if (k === 'format' && v === 'binary') continue;
    if (k === '$ref') outNode.$ref = v.replace('#/components/schemas/', '#/definitions/');
    else if (k === 'properties') outNode.properties = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, draft7(s)]));
    else outNode[k] = draft7(v);
  }
  return outNode;
}
const definitions = Object.fromEntries(Object.entries(spec.components.schemas).map(([name, s]) => [name, draft7(s)]));

function statusOf(op) {
  return Number(Object.keys(op.responses).find((c) => /^2\d\d$/.test(c)));
}

function request(step) {
  const { route, method, op } = operations.get(step.op);
  const status = step.status ?? statusOf(op);
  const response = op.responses[String(status)];
  const json = response.content?.['application/json']?.schema;
  const pathValues = step.path ?? {};
  const segments = route.split('/').filter(Boolean).map((s) => (s.startsWith('{') ? `{{${pathValues[s.slice(1, -1)]?.slice(2, -2) ?? s.slice(1, -1)}}}` : s));
  const declaredQuery = (op.parameters ?? []).filter((p) => p.in === 'query');
  const query = declaredQuery
    .filter((p) => step.query?.[p.name] !== undefined)
    .map((p) => ({ key: p.name, value: step.query[p.name], description: p.description }));
  for (const name of Object.keys(step.query ?? {})) if (!declaredQuery.some((p) => p.name === name)) throw new Error(`${step.op}: no query parameter ${name}`);
  const isPublic = Array.isArray(op.security) && op.security.length === 0;
  const headers = [];
  const req = {
    method,
    header: headers,
    url: { raw: `{{baseUrl}}/${segments.join('/')}${query.length ? `?${query.map((q) => `${q.key}=${q.value}`).join('&')}` : ''}`, host: ['{{baseUrl}}'], path: segments, ...(query.length ? { query } : {}) },
    description: [op.summary, op.description].filter(Boolean).join('\n\n'),
  };
  if (isPublic) req.auth = { type: 'noauth' };
  if (step.op === 'getMetrics') req.auth = { type: 'bearer', bearer: [{ key: 'token', value: '{{metricsToken}}', type: 'string' }] };
  if (step.body !== undefined) {
    headers.push({ key: 'Content-Type', value: 'application/json' });
    req.body = { mode: 'raw', raw: JSON.stringify(step.body, null, 2), options: { raw: { language: 'json' } } };
  }
  if (step.form) req.body = { mode: 'formdata', formdata: Object.entries(step.form).map(([key, src]) => ({ key, type: 'file', src })) };
  const mediaTypes = Object.keys(response.content ?? {});
  const tests = [
    `pm.test('${method} ${route} answers ${status}', () => pm.response.to.have.status(${status}));`,
    ...(mediaTypes.length
      ? [
          "const mediaType = (pm.response.headers.get('Content-Type') || '').split(';')[0].trim();",
          `pm.test('its content type is one openapi.json declares', () => pm.expect(${JSON.stringify(mediaTypes)}).to.include.oneOf([mediaType, mediaType.split('/')[0] + '/*']));`,
        ]
      : []),
    ...(json
      ? [
          "if (mediaType === 'application/json') {",
          `  pm.test('the body matches its schema in openapi.json', () => {`,
          `    const schema = Object.assign(${JSON.stringify(draft7(json))}, { definitions: JSON.parse(pm.collectionVariables.get('schemas')) });`,
          '    pm.response.to.have.jsonSchema(schema);',
          '  });',
          '}',
        ]
      : []),
    ...(step.tests ?? []),
  ];
  return { name: step.name, event: [{ listen: 'test', script: { type: 'text/javascript', exec: tests } }], request: req };
}

const collection = {
  info: {
    name: spec.info.title,
    description:
      `${spec.info.description}\n\nRun it as is: set \`baseUrl\` and \`apiKey\` (an account with about 20 credits), put a media file ` +
      'named media.mp4 beside the collection for the upload request, and `webhookUrl` to a receiver of yours. Generated from ' +
      'openapi.json by `npm run postman`.',
    version: spec.info.version,
    schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
  },
  auth: { type: 'bearer', bearer: [{ key: 'token', value: '{{apiKey}}', type: 'string' }] },
  variable: [
    { key: 'baseUrl', value: spec.servers[0].url, description: 'The installation (its PUBLIC_BASE_URL)' },
    { key: 'apiKey', value: '', description: 'An API key, mdy_live_…' },
    { key: 'mediaUrl', value: 'https://vimeo.com/76979871', description: 'A video page or media URL to work on' },
    { key: 'webhookUrl', value: 'https://example.com/hooks/mediary', description: 'Where webhook events go' },
    { key: 'metricsToken', value: '', description: 'METRICS_TOKEN, when the installation sets one' },
    ...['jobId', 'transcriptionId', 'batchId', 'uploadId', 'keyId', 'deliveryId', 'filename', 'expires', 'signature', 'polls'].map((key) => ({ key, value: '', description: 'Set by an earlier request' })),
    { key: 'schemas', value: JSON.stringify(definitions), description: 'components.schemas of openapi.json, for the schema tests' },
  ],
  item: FLOW.map(request),
};

mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(collection, null, 2)}\n`);
console.log(`wrote ${path.relative(root, out) || out}`);
