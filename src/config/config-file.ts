import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const timeoutsSchema = z
  .object({
    connect_ms: z.number().int().positive().optional(),
    first_byte_ms: z.number().int().positive().optional(),
    idle_ms: z.number().int().positive().optional(),
    total_ms: z.number().int().positive().optional(),
  })
  .strict();

const providerSchema = z
  .object({
    type: z.string().min(1),
    base_url: z.string().url().optional(),
    api_key: z.string().optional(),
    timeouts: timeoutsSchema.optional(),
    options: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const deploymentSchema = z
  .object({
    provider: z.string().min(1),
    model: z.string().min(1),
    priority: z.number().int().min(0).optional(),
    weight: z.number().positive().optional(),
    max_concurrency: z.number().int().positive().optional(),
  })
  .strict();

const modelSchema = z
  .object({
    name: z.string().optional(),
    description: z.string().optional(),
    owner: z.string().optional(),
    type: z.enum(['keys', 'provider']).optional(),
    modality: z.enum(['text', 'image', 'sound']).optional(),
    kind: z.enum(['chat', 'embedding', 'image', 'speech']).optional(),
    endpoints: z.array(z.string()).optional(),
    paid: z.boolean().optional(),
    can_stream: z.boolean().optional(),
    can_tools: z.boolean().optional(),
    can_vision: z.boolean().optional(),
    can_think: z.boolean().optional(),
    tier: z.number().int().min(0).max(3).optional(),
    max_output_tokens: z.number().int().positive().optional(),
    limits: z.tuple([z.number(), z.number(), z.number(), z.number()]).optional(),
    cost: z
      .object({
        input: z.number().min(0),
        output: z.number().min(0),
        cache_read: z.number().min(0).optional(),
        cache_write: z.number().min(0).optional(),
        per_image: z.number().min(0).optional(),
        per_1k_chars: z.number().min(0).optional(),
        tool_calls: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/), z.number().min(0)).optional(),
      })
      .strict()
      .optional(),
    deployments: z.array(deploymentSchema).optional(),
    routing: z.enum(['weighted', 'least-latency']).optional(),
    timeouts: timeoutsSchema.optional(),
  })
  .strict();

const tierLimit = z.number().int().positive().nullable().optional();
const tierSchema = z.object({ rpm: tierLimit, tpm: tierLimit, rpd: tierLimit, max_concurrency: tierLimit }).strict();

const configSchema = z
  .object({
    providers: z.record(z.string(), providerSchema).optional(),
    models: z.record(z.string(), modelSchema).optional(),
    /** Model ids the catalog does not list, mapped to one it does: exact (`claude-3-5-haiku-20241022`) or with `*` wildcards (`claude-*`). */
    aliases: z.record(z.string().min(1), z.string().min(1)).optional(),
    /** Default limits of keys by tier, and of the anonymous public key. */
    tiers: z.object({ '0': tierSchema, '1': tierSchema, '2': tierSchema, '3': tierSchema, anonymous: tierSchema }).partial().strict().optional(),
  })
  .strict();

export type ConfigFile = z.infer<typeof configSchema>;
export type ConfigProvider = z.infer<typeof providerSchema>;
export type ConfigModel = z.infer<typeof modelSchema>;

/** Where `${NAME}` is looked up, and the file an error names: the same for the whole walk. */
interface EnvSource {
  env: NodeJS.ProcessEnv;
  file: string;
}

/** Replaces `${NAME}` in `value` (at key path `at`) with the variable's value; an unset variable is an error naming it. */
function substituteEnv(value: unknown, at: string, source: EnvSource): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => {
      const resolved = source.env[name];
      if (resolved === undefined) throw new Error(`${source.file}: ${at} refers to \${${name}}, which is not set`);
      return resolved;
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => substituteEnv(item, `${at}[${i}]`, source));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteEnv(v, at ? `${at}.${k}` : k, source)]));
  }
  return value;
}

/** Reads and validates OPENSQ_CONFIG; errors name the file and the offending key. */
export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): ConfigFile {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: cannot read the config: ${(error as Error).message}`);
  }
  if (raw === null || raw === undefined) return {};
  const result = configSchema.safeParse(substituteEnv(raw, '', { env, file }));
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = issue.path.join('.') || '(top level)';
    throw new Error(`${file}: ${key}: ${issue.message}`);
  }
  return result.data;
}
