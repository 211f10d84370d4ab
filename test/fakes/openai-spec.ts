import { readFileSync } from 'node:fs';
import { fixturePath } from '../support/fixtures.js';

type Schema = { $ref?: string; allOf?: Schema[]; properties?: Record<string, unknown> };
let spec: { components: { schemas: Record<string, Schema> } } | undefined;
const cached = new Map<string, Set<string>>();

/**
 * The request fields OpenAI's official spec allows for one request schema, so a fake upstream
 * rejects an unknown field exactly as the real API does ("Unrecognized request argument").
 */
export function requestFields(schemaName: string): Set<string> {
  const known = cached.get(schemaName);
  if (known) return known;
  spec ??= JSON.parse(readFileSync(fixturePath('openai/openai-schemas.json'), 'utf8')) as { components: { schemas: Record<string, Schema> } };
  const schemas = spec.components.schemas;
  const fields = new Set<string>();
  const visit = (schema: Schema | undefined): void => {
    if (!schema) return;
    if (schema.$ref) visit(schemas[schema.$ref.split('/').pop()!]);
    for (const part of schema.allOf ?? []) visit(part);
    for (const key of Object.keys(schema.properties ?? {})) fields.add(key);
  };
  visit(schemas[schemaName]);
  cached.set(schemaName, fields);
  return fields;
}

export function chatRequestFields(): Set<string> {
  return requestFields('CreateChatCompletionRequest');
}
