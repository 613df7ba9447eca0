import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The committed openapi.json as a checker of real answers: every answer a spec receives from
 * the API (status, content type and, for JSON, the body) and every webhook payload must be one
 * the contract declares. A drift fails the spec at the request that showed it.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SPEC_ID = 'https://mediary.invalid/openapi.json';

interface MediaType { schema?: object }
interface Response { content?: Record<string, MediaType>; headers?: Record<string, object> }
interface Operation { responses: Record<string, Response> }
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  webhooks?: Record<string, { post: { requestBody: { content: Record<string, MediaType> } } }>;
}

const spec = JSON.parse(readFileSync(path.join(ROOT, 'openapi.json'), 'utf8')) as Spec;

/**
 * The checker's copy is closed: an object schema that lists its properties and says nothing of
 * others allows no others here, so a member the contract does not declare is a violation too.
 */
function closed(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closed);
  if (!node || typeof node !== 'object') return node;
  const out = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === 'example' || k === 'examples' ? v : closed(v)]));
  if (out.type === 'object' && out.properties && !('additionalProperties' in out)) out.additionalProperties = false;
  // Ajv picks the branch by the discriminator itself (and reports only that branch's errors); it takes no mapping.
  if (out.discriminator && typeof out.discriminator === 'object') out.discriminator = { propertyName: (out.discriminator as { propertyName: string }).propertyName };
  return out;
}

const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true, discriminator: true });
addFormats.default(ajv);
ajv.addFormat('binary', true);
ajv.addSchema({ ...(closed(spec) as object), $id: SPEC_ID });

const pointer = (...parts: string[]) => `${SPEC_ID}#/${parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;
const compiled = new Map<string, ValidateFunction>();
function validatorAt(...parts: string[]): ValidateFunction {
  const ref = pointer(...parts);
  let v = compiled.get(ref);
  if (!v) compiled.set(ref, (v = ajv.compile({ $ref: ref })));
  return v;
}

/** Templated paths after literal ones, so `/v1/webhooks/secret` never matches `{id}`. */
const ROUTES = Object.keys(spec.paths)
  .map((template) => ({
    template,
    params: (template.match(/\{/g) ?? []).length,
    re: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`),
  }))
  .sort((a, b) => a.params - b.params);

function routeOf(pathname: string): string | undefined {
  return ROUTES.find((r) => r.re.test(pathname))?.template;
}

const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json$/;

function mediaTypeOf(declared: Record<string, MediaType>, actual: string): string | undefined {
  if (actual in declared) return actual;
  const [major] = actual.split('/');
  return [`${major}/*`, '*/*'].find((t) => t in declared);
}

export class ContractViolation extends Error {
  override name = 'ContractViolation';
}

/** Every violation seen in this spec file, including those in callbacks that cannot throw to a test. */
export const violations: string[] = [];

function violation(message: string): ContractViolation {
  violations.push(message);
  return new ContractViolation(`openapi.json does not describe this answer: ${message}`);
}

function describeErrors(v: ValidateFunction): string {
  return (v.errors ?? []).slice(0, 8).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`).join('; ');
}

/**
 * Checks one answer of the API. Answers to paths the contract does not list (fixture servers,
 * the router's refusals of unknown routes) are not the contract's business and pass.
 */
export function checkAnswer(
  method: string,
  url: URL,
  status: number,
  contentType: string | null,
  body: string | undefined,
  header?: (name: string) => string | null,
): void {
  const template = routeOf(url.pathname);
  const op = template ? spec.paths[template]?.[method.toLowerCase()] : undefined;
  if (!template || !op) return;
  const where = `${method.toUpperCase()} ${template} → ${status}`;
  const code = String(status);
  const key = code in op.responses ? code : `${code[0]}XX` in op.responses ? `${code[0]}XX` : 'default' in op.responses ? 'default' : undefined;
  if (!key) throw violation(`${where}: status not declared (declared: ${Object.keys(op.responses).join(', ')})`);
  const declared = op.responses[key]!.content;
  const absent = header ? Object.keys(op.responses[key]!.headers ?? {}).filter((name) => header(name) === null) : [];
  if (absent.length) throw violation(`${where}: declared headers missing: ${absent.join(', ')}`);
  if (!declared || method.toUpperCase() === 'HEAD' || status === 204 || status === 304) {
    if (declared && status === 204) throw violation(`${where}: declares a body for a 204`);
    if (!declared && contentType && body !== '') throw violation(`${where}: a body (${contentType}) where none is declared`);
    return;
  }
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const match = mediaTypeOf(declared, mediaType);
  if (!match) throw violation(`${where}: content type ${mediaType || '(none)'} not declared (declared: ${Object.keys(declared).join(', ')})`);
  const schema = declared[match]!.schema as { format?: string } | undefined;
  // A file served as it was stored (a JSON transcript or comments file) is declared as bytes, not as a document.
  if (!JSON_TYPE.test(mediaType) || body === undefined || !schema || schema.format === 'binary') return;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw violation(`${where}: ${mediaType} body is not JSON`);
  }
  const validate = validatorAt('paths', template, method.toLowerCase(), 'responses', key, 'content', match, 'schema');
  if (!validate(value)) throw violation(`${where}: ${describeErrors(validate)} in ${body.slice(0, 600)}`);
}

/** Checks a webhook body against the payload the contract declares for its event type. */
export function checkWebhook(body: string): void {
  let payload: { type?: string };
  try {
    payload = JSON.parse(body) as { type?: string };
  } catch {
    throw violation(`webhook body is not JSON: ${body.slice(0, 200)}`);
  }
  const event = payload.type ?? '';
  const hook = spec.webhooks?.[event];
  if (!hook) throw violation(`webhook ${event}: not declared under webhooks (declared: ${Object.keys(spec.webhooks ?? {}).join(', ')})`);
  const validate = validatorAt('webhooks', event, 'post', 'requestBody', 'content', 'application/json', 'schema');
  if (!validate(payload)) throw violation(`webhook ${event}: ${describeErrors(validate)} in ${body.slice(0, 600)}`);
}

/** Checks a value against a named schema of components.schemas (e.g. the `data` of an SSE event). */
export function checkSchema(name: string, value: unknown): void {
  const validate = validatorAt('components', 'schemas', name);
  if (!validate(value)) throw violation(`${name}: ${describeErrors(validate)} in ${JSON.stringify(value).slice(0, 600)}`);
}

/** For a receiver's callback, which cannot fail a test itself: the spec file fails at its end (see contract-setup.ts). */
export function recordWebhook(body: string): void {
  try {
    checkWebhook(body);
  } catch {
    /* recorded in violations */
  }
}

/** Bodies read to check them: JSON only; media, SSE streams and text pass by content type alone. */
const readsBody = (contentType: string | null) => JSON_TYPE.test((contentType ?? '').split(';')[0]!.trim().toLowerCase());

/** `fetch` that checks every answer from a listed API path before the caller sees it. */
export function checkedFetch(inner: typeof fetch): typeof fetch {
  return async (input, init) => {
    const res = await inner(input, init);
    const request = input instanceof Request ? input : null;
    const url = new URL(request?.url ?? String(input));
    const method = init?.method ?? request?.method ?? 'GET';
    if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') return res;
    const contentType = res.headers.get('content-type');
    const body = readsBody(contentType) ? await res.clone().text() : res.status === 204 ? await res.clone().text() : undefined;
    checkAnswer(method, url, res.status, contentType, body, (name) => res.headers.get(name));
    return res;
  };
}
