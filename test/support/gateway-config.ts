import { FAKE_KEY } from '../fakes/openai-upstream.js';

/** OPENSQ_CONFIG `models:` entries: each public id a free model with one deployment, given as `provider/upstream model`. */
export function modelLines(models: Readonly<Record<string, string>>): string[] {
  return Object.entries(models).map(([id, target]) => {
    const slash = target.indexOf('/');
    return `  ${id}: { paid: false, deployments: [ { provider: ${target.slice(0, slash)}, model: ${target.slice(slash + 1)} } ] }`;
  });
}

/**
 * OPENSQ_CONFIG `providers:` entry of the `openai` preset (address and key from the environment)
 * told it speaks the Responses API: only OpenAI's own address is assumed to, not a fake's.
 */
export const OPENAI_PRESET_WITH_RESPONSES = ['  openai:', '    type: openai', '    options: { responses_api: true }'];

/**
 * OPENSQ_CONFIG `providers:` entry of an OpenAI-compatible provider at a fake, with the fakes' key;
 * with `responsesApi` it is sent Responses API requests as they are, else chat completions.
 */
export function compatProviderLines(name: string, baseUrl: string, options: { responsesApi?: boolean } = {}): string[] {
  const lines = [`  ${name}:`, '    type: openai-compatible', `    base_url: ${baseUrl}`, `    api_key: ${FAKE_KEY}`];
  return options.responsesApi ? [...lines, '    options: { responses_api: true }'] : lines;
}
