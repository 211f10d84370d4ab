import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const SHARED_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared');

type Schema = { $ref?: string; allOf?: Schema[]; properties?: Record<string, unknown> };
let cached: Set<string> | undefined;

/**
 * The request fields OpenAI's official spec allows for chat completions, so the fake upstream
 * rejects an unknown field exactly as the real API does ("Unrecognized request argument").
 */
export function chatRequestFields(): Set<string> {
  if (cached) return cached;
  const spec = parse(readFileSync(path.join(SHARED_DIR, 'spec/openapi.yaml'), 'utf8'), { maxAliasCount: -1 }) as {
    components: { schemas: Record<string, Schema> };
  };
  const fields = new Set<string>();
  const visit = (schema: Schema | undefined): void => {
    if (!schema) return;
    if (schema.$ref) visit(spec.components.schemas[schema.$ref.split('/').pop()!]);
    for (const part of schema.allOf ?? []) visit(part);
    for (const key of Object.keys(schema.properties ?? {})) fields.add(key);
  };
  visit(spec.components.schemas.CreateChatCompletionRequest);
  cached = fields;
  return fields;
}
