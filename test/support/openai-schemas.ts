import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { fixturePath } from './fixtures.js';

type Validate = ((value: unknown) => boolean) & { errors?: unknown };
const ID = 'openai.json';
interface SchemaStore {
  addSchema(schema: object): unknown;
  getSchema(ref: string): unknown;
}
let ajv: SchemaStore | undefined;

/** OpenAPI 3.0 `nullable` rewritten as JSON Schema, which Ajv understands. */
function fixNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(fixNullable);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = fixNullable(v);
  if (typeof out.nullable === 'boolean') {
    const on = out.nullable;
    delete out.nullable;
    if (!on) return out;
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (Array.isArray(out.type)) {
      if (!out.type.includes('null')) out.type.push('null');
    } else return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

function instance(): SchemaStore {
  if (ajv) return ajv;
  // OpenAI's own schemas, extracted from its openapi.yaml by scripts/extract-openai-schemas.mjs.
  const spec = JSON.parse(readFileSync(fixturePath('openai/openai-schemas.json'), 'utf8')) as { components: { schemas: unknown } };
  const AjvClass = ((Ajv2020 as unknown as { default?: unknown }).default ?? Ajv2020) as new (options: object) => SchemaStore;
  const created = new AjvClass({ strict: false, allErrors: true });
  (addFormats as unknown as (a: unknown) => void)(created);
  created.addSchema({ $id: ID, components: { schemas: fixNullable(spec.components.schemas) } });
  ajv = created;
  return created;
}

/**
 * Asserts a payload matches one of OpenAI's own schemas (`CreateChatCompletionResponse`,
 * `CreateChatCompletionStreamResponse`, `CreateEmbeddingResponse`, `ErrorResponse`, ...).
 */
export function assertOpenAISchema(name: string, value: unknown): void {
  const validate = instance().getSchema(`${ID}#/components/schemas/${name}`) as Validate | undefined;
  if (!validate) throw new Error(`no schema ${name}`);
  if (!validate(value)) {
    throw new Error(`not a valid ${name}: ${JSON.stringify(validate.errors).slice(0, 800)}\nvalue: ${JSON.stringify(value).slice(0, 800)}`);
  }
}
