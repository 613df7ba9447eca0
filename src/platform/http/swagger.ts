import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, getSchemaPath, SwaggerModule, type OpenAPIObject, type PathItemObject } from '@nestjs/swagger';
import { existsSync, readFileSync } from 'node:fs';
import { ONE_OF_REQUIRED } from './decorators.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** package.json of the installation, found from this file whether it runs from src/ or dist/. */
function packageJson(): { version: string; description: string; license: string } {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string; description: string; license: string };
}
const pkg = packageJson();

/** The address the committed openapi.json names: a fresh installation's. A running one serves its PUBLIC_BASE_URL. */
export const DEFAULT_SERVER_URL = 'http://127.0.0.1:3000';

const TAGS: Array<[string, string]> = [
  ['info', 'Metadata of a URL, synchronously'],
  ['download', 'Media files from a URL or an upload'],
  ['transcripts', 'Transcripts and translations'],
  ['jobs', 'State, results and live progress of every job'],
  ['batches', 'Many items of one operation at once'],
  ['uploads', 'Your own files, usable wherever a URL is'],
  ['files', 'Output files at signed links'],
  ['account', 'Balance, ledger and API keys'],
  ['webhooks', 'Where job and batch events are delivered'],
  ['operations', 'Health and metrics for operators'],
];

/** Events delivered to webhook endpoints, and the schema of each body. */
const WEBHOOKS: Array<[string, string, string]> = [
  ['job.completed', 'JobWebhookPayloadDto', 'A job completed; `data` is the job with its result'],
  ['job.failed', 'JobWebhookPayloadDto', 'A job failed (and was refunded unless the input was at fault); `data` is the job with its error'],
  ['job.progress', 'JobWebhookPayloadDto', 'Every 10 % of a job’s progress (opt-in: list it in the endpoint’s `events`)'],
  ['batch.completed', 'BatchWebhookPayloadDto', 'Every job of a batch has ended'],
  ['webhook.test', 'TestWebhookPayloadDto', 'Sent by POST /v1/webhooks/test'],
];

function webhook(event: string, schema: string, description: string): PathItemObject {
  return {
    post: {
      operationId: `on${event.split(/[._]/).map((w) => `${w[0]!.toUpperCase()}${w.slice(1)}`).join('')}`,
      summary: event,
      description:
        `${description}. Signed per Standard Webhooks (headers \`webhook-id\`, \`webhook-timestamp\`, \`webhook-signature\`) ` +
        'with the account secret; retried with the same `webhook-id` until a 2xx arrives.',
      tags: ['webhooks'],
      security: [],
      parameters: ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => ({ name, in: 'header' as const, required: true, schema: { type: 'string' as const } })),
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: getSchemaPath(schema) } } } },
      responses: {
        '200': { description: 'Any 2xx within 10 s: delivered' },
        '400': { description: 'Anything else (or no answer) is retried with exponential backoff for more than 24 h' },
      },
    },
  };
}

/** The router refuses a path segment longer than any id or file name before any operation runs. */
function declarePathLimits(document: OpenAPIObject): void {
  for (const [route, item] of Object.entries(document.paths)) {
    if (!route.includes('{')) continue;
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const op = item[method];
      if (op && !op.responses['414']) {
        op.responses['414'] = {
          description: 'A part of the path is longer than any id or file name (`url_too_long`)',
          content: { 'application/problem+json': { schema: { $ref: getSchemaPath('ProblemDto') } } },
        };
      }
    }
  }
}

const RATE_HEADERS = {
  'X-RateLimit-Limit': { description: 'Requests allowed in the binding window (minute or hour) for this endpoint class', schema: { type: 'integer' as const } },
  'X-RateLimit-Remaining': { description: 'Requests left in that window', schema: { type: 'integer' as const } },
  'X-RateLimit-Reset': { description: 'Seconds until that window resets', schema: { type: 'integer' as const } },
};

/** Every answer that passed the key check carries the account's rate-limit state. */
function declareRateHeaders(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const op = item[method];
      if (!op?.security?.some((s) => 'bearer' in s)) continue;
      for (const [status, response] of Object.entries(op.responses)) {
        if (response && /^2\d\d$/.test(status) && !('$ref' in response)) response.headers = { ...RATE_HEADERS, ...response.headers };
      }
    }
  }
}

/** `oneOf` one branch per field, each requiring it (see OneOfRequired). */
function declareOneOfRequired(document: OpenAPIObject): void {
  for (const [name, fields] of ONE_OF_REQUIRED) {
    const schema = document.components?.schemas?.[name];
    if (!schema || '$ref' in schema) continue;
    schema.oneOf = fields.map((field) => ({ properties: { [field]: schema.properties![field]! }, required: [field] }));
  }
}

/**
 * The contract, from the code: OpenAPI 3.1 (nullable fields validate), jobs as a union told apart
 * by `type` (JobDto, see jobUnionSchema), webhook bodies under `webhooks`.
 */
export function buildOpenApi(app: INestApplication, opts: { serverUrl: string; extraSchemas: Record<string, object> }): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Mediary API')
    .setDescription(
      `${pkg.description}\n\nAuthenticate with \`Authorization: Bearer <key>\` or \`X-API-Key: <key>\`. ` +
        'Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`.',
    )
    .setVersion(pkg.version)
    .setLicense(pkg.license, `https://spdx.org/licenses/${pkg.license}.html`)
    .addServer(opts.serverUrl, 'This installation (PUBLIC_BASE_URL)')
    .addSecurity('bearer', { type: 'http', scheme: 'bearer', description: 'An API key (`mdy_live_…`) as `Authorization: Bearer <key>`' })
    .addSecurity('apiKey', { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An API key (`mdy_live_…`)' })
    .addSecurity('metrics', { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, for GET /metrics' });
  for (const [name, description] of TAGS) builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build());
  Object.assign(document.components!.schemas!, opts.extraSchemas);
  declarePathLimits(document);
  declareRateHeaders(document);
  declareOneOfRequired(document);
  document.webhooks = Object.fromEntries(WEBHOOKS.map(([event, schema, description]) => [event, webhook(event, schema, description)]));
  return document;
}

export function mountDocs(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', yamlDocumentUrl: 'openapi.yaml' });
}
