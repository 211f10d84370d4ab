import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { localModelId } from '../providers/local/discover-local-models.js';
import { Catalog } from './catalog.js';
import { DeploymentHealth } from './deployment-health.js';
import { ProviderRegistry } from './provider-registry.js';
import { DEFAULT_RETRY_POLICY } from './retry-policy.js';
import { Router } from './router.js';
import { fixturePath } from '../../test/support/fixtures.js';

const router = new Router(new DeploymentHealth(), DEFAULT_RETRY_POLICY);

interface SeedRow { id: string; family: string; description: string; type: string; modality: string; endpoints: string[] }

/** Every row of the seed's "All models" tables, kept as data in test/fixtures/onlysq/models.json. */
function seedModels(): SeedRow[] {
  return (JSON.parse(readFileSync(fixturePath('onlysq/models.json'), 'utf8')) as { rows: SeedRow[] }).rows;
}

describe('default catalog', () => {
  const catalog = new Catalog(new ProviderRegistry({}));

  it('has every model of the seed table, with its description, type, modality and endpoints', () => {
    const rows = seedModels();
    assert.equal(new Set(rows.map((row) => row.id)).size, 102, 'the seed lists 102 models');
    for (const row of rows) {
      const model = catalog.get(row.id);
      assert.ok(model, `missing ${row.id}`);
      assert.equal(model.type, row.type.toLowerCase(), row.id);
      assert.equal(model.modality, { Text: 'text', Images: 'image', Sound: 'sound' }[row.modality], row.id);
      for (const endpoint of row.endpoints) assert.ok(model.endpoints.includes(endpoint), `${row.id} serves ${endpoint}`);
      if (!rows.some((other) => other.id === row.id && other.description !== row.description)) assert.equal(model.description, row.description);
    }
  });

  it("owns each model by the vendor of the seed's section it is listed in", () => {
    const owners: Record<string, string> = { ChatGPT: 'openai', DeepSeek: 'deepseek', Llama: 'meta', Claude: 'anthropic', 'Le Chat': 'mistral', Qwen: 'qwen', Google: 'google', Cohere: 'cohere', Image: 'black-forest-labs', Sound: 'google' };
    for (const row of seedModels()) {
      if (owners[row.family]) assert.equal(catalog.get(row.id)!.owner, owners[row.family], row.id);
    }
  });

  it('maps families to their default providers', () => {
    const provider = (id: string) => catalog.get(id)!.deployments.map((d) => d.provider.name);
    assert.deepEqual(provider('gpt-4o-mini'), ['openai']);
    assert.deepEqual(provider('o3-mini'), ['openai']);
    assert.deepEqual(provider('chatgpt-4o-latest'), ['openai']);
    assert.deepEqual(provider('claude-3.5-sonnet'), ['anthropic']);
    assert.deepEqual(provider('gemini-2.5-flash'), ['gemini']);
    assert.deepEqual(provider('gemma-3-27b-it'), ['gemini']);
    assert.deepEqual(provider('command-r-plus'), ['cohere']);
    assert.deepEqual(provider('c4ai-aya-expanse-32b'), ['cohere']);
    assert.deepEqual(provider('deepseek-r1'), ['deepseek']);
    assert.deepEqual(provider('llama-3.3-70b'), ['groq', 'together']);
    assert.deepEqual(provider('mistral-small-3.1'), ['mistral']);
    assert.deepEqual(provider('qwen3-coder-plus'), ['dashscope']);
    assert.deepEqual(provider('grok'), ['xai']);
    assert.deepEqual(provider('kimi-k2'), ['moonshot']);
    assert.deepEqual(provider('zai-glm-4.6'), ['zai']);
    assert.deepEqual(provider('flux'), ['together']);
    assert.deepEqual(provider('gtts'), ['gtts']);
    assert.equal(catalog.get('text-embedding-3-small')!.kind, 'embedding');
    assert.equal(catalog.get('text-embedding-3-large')!.kind, 'embedding');
  });

  it('without provider keys every model is down with a reason naming the variable, but the keyless speech engines', () => {
    const keyless = new Set(['gtts', 'espeak']);
    for (const model of catalog.list()) assert.equal(model.downReason === undefined, keyless.has(model.id), model.id);
    assert.match(catalog.get('gpt-4o-mini')!.downReason!, /OPENAI_API_KEY/);
    assert.match(catalog.get('llama-3.3-70b')!.downReason!, /GROQ_API_KEY.*TOGETHER_API_KEY/);
  });

  it('a configured provider brings its models up; deployments are planned by priority', () => {
    const registry = new ProviderRegistry({ GROQ_API_KEY: 'k', TOGETHER_API_KEY: 'k' });
    const live = new Catalog(registry);
    const model = live.get('llama-3.3-70b')!;
    assert.equal(model.downReason, undefined);
    assert.equal(router.order(model).length, 2);
    assert.notEqual(live.get('gpt-4o-mini')!.downReason, undefined);
  });

  it('the config file overrides deployments and adds models; local models are named after their file', () => {
    const settings = { dataDir: '/nonexistent', threads: 1, modelLocation: '/models/stories260K.gguf' };
    const registry = new ProviderRegistry({}, { mine: { type: 'openai-compatible', base_url: 'http://127.0.0.1:1/v1' } }, settings);
    const custom = new Catalog(registry, {
      models: {
        'gpt-4o-mini': { deployments: [{ provider: 'mine', model: 'small', priority: 1 }, { provider: 'mine', model: 'big', priority: 0 }] },
        'my-model': { name: 'Mine', owner: 'me', deployments: [{ provider: 'mine', model: 'x' }] },
      },
    });
    const mini = custom.get('gpt-4o-mini')!;
    assert.equal(mini.description.length > 0, true, 'fields not overridden are kept');
    assert.deepEqual(router.order(mini).map((d) => d.model), ['big', 'small']);
    assert.equal(custom.get('my-model')!.name, 'Mine');
    assert.equal(custom.get('stories260K')!.owner, 'local');
    assert.equal(localModelId('hf:user/repo/Model-Q4.gguf'), 'Model-Q4');
  });
});

describe('model aliases', () => {
  const catalog = new Catalog(new ProviderRegistry({}), {
    aliases: { 'claude-*': 'gpt-4o-mini', 'claude-*-haiku-*': 'gemini-2.0-flash', 'claude-3.5-sonnet': 'gpt-4o', 'my.model+1': 'gpt-4o' },
  });

  it('the catalog id first, then an exact alias, then the most specific wildcard', () => {
    assert.equal(catalog.find('claude-3.5-sonnet')?.id, 'claude-3.5-sonnet', 'a catalog id is never shadowed');
    assert.equal(catalog.find('my.model+1')?.id, 'gpt-4o');
    assert.equal(catalog.find('my-model+1'), undefined, 'pattern characters are literal');
    assert.equal(catalog.find('claude-sonnet-4-5-20250929')?.id, 'gpt-4o-mini');
    assert.equal(catalog.find('claude-3-5-haiku-20241022')?.id, 'gemini-2.0-flash');
    assert.equal(catalog.find('claude-'), catalog.get('gpt-4o-mini'), 'a wildcard matches nothing too');
    assert.equal(catalog.find('xclaude-1'), undefined);
    assert.equal(catalog.get('claude-sonnet-4-5'), undefined, 'get reads the catalog only');
  });

  it('an alias to a model the catalog does not have is a config error naming it', () => {
    assert.throws(() => new Catalog(new ProviderRegistry({}), { aliases: { 'claude-*': 'nope' } }), /aliases\.claude-\*: the model nope is not in the catalog/);
  });
});
