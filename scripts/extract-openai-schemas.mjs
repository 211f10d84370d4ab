// Extracts the schemas the tests validate against (and every schema they reference) from OpenAI's
// official openapi.yaml into test/fixtures/openai/openai-schemas.json, so the repository carries
// 1/10 of the 3 MB spec. Usage: node scripts/extract-openai-schemas.mjs path/to/openapi.yaml
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The schemas tests name; their references come along. */
const ROOTS = [
  'CreateChatCompletionRequest', 'CreateChatCompletionResponse', 'CreateChatCompletionStreamResponse',
  'CreateEmbeddingRequest', 'CreateEmbeddingResponse', 'CreateImageRequest', 'ImagesResponse', 'CreateSpeechRequest',
  'ListModelsResponse', 'Model', 'ErrorResponse', 'Error',
  'CreateCompletionRequest', 'CreateCompletionResponse', 'CreateResponse', 'Response', 'ResponseStreamEvent',
];

const source = process.argv[2];
if (!source) {
  console.error('usage: node scripts/extract-openai-schemas.mjs path/to/openapi.yaml');
  process.exit(2);
}
const text = readFileSync(source, 'utf8');
const spec = parse(text, { maxAliasCount: -1 });
const all = spec.components.schemas;
const kept = {};
const visit = (node) => {
  if (Array.isArray(node)) return node.forEach(visit);
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') take(value.split('/').pop());
    else visit(value);
  }
};
const take = (name) => {
  if (kept[name] !== undefined) return;
  if (!all[name]) throw new Error(`no schema ${name} in ${source}`);
  kept[name] = all[name];
  visit(all[name]);
};
ROOTS.forEach(take);

const sorted = Object.fromEntries(Object.keys(kept).sort().map((name) => [name, kept[name]]));
const out = {
  source: { repository: 'github.com/openai/openai-openapi', path: 'openapi.yaml', version: spec.info.version, sha256: createHash('sha256').update(text).digest('hex') },
  roots: ROOTS,
  components: { schemas: sorted },
};
const target = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../test/fixtures/openai/openai-schemas.json');
writeFileSync(target, `${JSON.stringify(out)}\n`);
console.log(`${Object.keys(sorted).length} of ${Object.keys(all).length} schemas → ${path.relative(process.cwd(), target)}`);
