import { z } from 'zod';
import * as s from './admin-schemas.js';

type Schema = z.ZodType;

interface Operation {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  summary: string;
  body?: Schema;
  query?: Schema;
  ok: { status: number; schema: Schema };
}

const OPERATIONS: Operation[] = [
  { method: 'post', path: '/admin/keys', summary: 'Create a key; the answer is the only place its secret appears', body: s.createKeySchema, ok: { status: 201, schema: s.createdKeySchema } },
  { method: 'get', path: '/admin/keys', summary: 'List keys (never their secrets); ?user=ID&include_revoked=true', ok: { status: 200, schema: s.keyListSchema } },
  { method: 'get', path: '/admin/keys/{id}', summary: 'One key', ok: { status: 200, schema: s.keyViewSchema } },
  { method: 'patch', path: '/admin/keys/{id}', summary: "Change a key's name, user, tier, allowed models, limits, credits or expiry", body: s.updateKeySchema, ok: { status: 200, schema: s.keyViewSchema } },
  { method: 'delete', path: '/admin/keys/{id}', summary: 'Revoke a key: it is a 401 from then on', ok: { status: 200, schema: s.keyViewSchema } },
  { method: 'post', path: '/admin/keys/{id}/credits', summary: "Add to a key's credit balance atomically", body: s.addCreditsSchema, ok: { status: 200, schema: s.keyViewSchema } },
  { method: 'post', path: '/admin/users', summary: 'Create a user', body: s.userInputSchema, ok: { status: 201, schema: s.userViewSchema } },
  { method: 'get', path: '/admin/users', summary: 'List users', ok: { status: 200, schema: s.userListSchema } },
  { method: 'get', path: '/admin/users/{id}', summary: 'One user and its keys', ok: { status: 200, schema: s.userDetailSchema } },
  { method: 'patch', path: '/admin/users/{id}', summary: 'Rename a user', body: s.userInputSchema, ok: { status: 200, schema: s.userViewSchema } },
  { method: 'get', path: '/admin/usage', summary: 'Usage rows, newest first, and the totals of every row matching the filter', query: s.usageQuerySchema, ok: { status: 200, schema: s.usageListSchema } },
  { method: 'get', path: '/admin/usage/summary', summary: 'Usage totals grouped by key, user, model or day, with latency p50/p95', query: s.usageQuerySchema, ok: { status: 200, schema: s.usageSummarySchema } },
  { method: 'get', path: '/admin/usage/errors', summary: 'Failed requests by error code, status and model', query: s.usageQuerySchema, ok: { status: 200, schema: s.usageErrorsSchema } },
  { method: 'get', path: '/admin/keys/search', summary: 'Keys matching a text and status, paged (for the dashboard)', query: s.keySearchQuerySchema, ok: { status: 200, schema: s.keySearchSchema } },
  { method: 'get', path: '/admin/requests', summary: 'The request log: usage rows newest first, filtered, paged by next_before', query: s.requestLogQuerySchema, ok: { status: 200, schema: s.requestLogSchema } },
  { method: 'get', path: '/admin/requests/{id}', summary: "One request of the log by its row id, its request id (the answer's x-request-id and id) or its upstream's id (upstream_id), with its upstream attempts and the JSON body its client sent (request_body, or request_body_omitted saying why not)", ok: { status: 200, schema: s.requestDetailSchema } },
  { method: 'get', path: '/admin/usage/series', summary: 'Usage over time in UTC hour or day buckets, optionally by model, provider, key or endpoint', query: s.usageSeriesQuerySchema, ok: { status: 200, schema: s.usageSeriesSchema } },
  { method: 'get', path: '/admin/overview', summary: "The dashboard's first screen: a period's totals, a 24-hour strip per provider, the first-run checklist", query: s.overviewQuerySchema, ok: { status: 200, schema: s.overviewSchema } },
  { method: 'get', path: '/admin/providers', summary: "The dashboard's Providers view in one answer: every deployment's health with its 24-hour requests, success rate and latency, and the catalog", ok: { status: 200, schema: s.providersSchema } },
  { method: 'get', path: '/admin/health', summary: "Every deployment of the catalog and its state", ok: { status: 200, schema: s.healthSchema } },
  { method: 'post', path: '/admin/deployments/test', summary: 'Send a one-token chat straight to one chat deployment (no retries, no usage row, no effect on its health): ok, latency and error', body: s.deploymentTestSchema, ok: { status: 200, schema: s.deploymentTestResultSchema } },
];

function jsonSchema(schema: Schema, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

function queryParameters(schema: Schema): unknown[] {
  const json = jsonSchema(schema, 'input') as { properties?: Record<string, Record<string, unknown>> };
  return Object.entries(json.properties ?? {}).map(([name, prop]) => ({ name, in: 'query', required: false, schema: prop, description: prop.description }));
}

const ERRORS = {
  '400': 'Invalid input',
  '401': 'No admin key presented',
  '403': 'A key other than the admin key',
  '404': 'Not found, or the admin API is disabled (OPENSQ_ADMIN_KEY unset): code admin_disabled',
};

let document: object | undefined;

/** The admin API's OpenAPI 3.1 description, generated from the same zod schemas that validate it. */
export function adminOpenApi(): object {
  if (document) return document;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const responses: Record<string, unknown> = { [String(op.ok.status)]: { description: 'OK', content: { 'application/json': { schema: jsonSchema(op.ok.schema, 'output') } } } };
    for (const [status, description] of Object.entries(ERRORS)) responses[status] = { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    const parameters: unknown[] = op.path.includes('{id}') ? [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }] : [];
    if (op.query) parameters.push(...queryParameters(op.query));
    paths[op.path] ??= {};
    paths[op.path][op.method] = {
      summary: op.summary,
      operationId: `${op.method}${op.path.replace(/\/admin/, '').replace(/\{id\}/, 'ById').replace(/\/(\w)/g, (_m, c: string) => c.toUpperCase())}`,
      ...(parameters.length > 0 && { parameters }),
      ...(op.body && { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(op.body, 'input') } } } }),
      responses,
    };
  }
  document = {
    openapi: '3.1.0',
    info: { title: 'OpenSq admin API', version: '1', description: 'Keys, users, limits, credits, usage and deployment health. Every route needs `Authorization: Bearer $OPENSQ_ADMIN_KEY`.' },
    servers: [{ url: '/' }],
    security: [{ adminKey: [] }],
    components: { securitySchemes: { adminKey: { type: 'http', scheme: 'bearer' } }, schemas: { Error: jsonSchema(s.errorSchema, 'output') } },
    paths,
  };
  return document;
}
