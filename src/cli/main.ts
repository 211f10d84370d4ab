#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { loadSettings } from '../config/settings.js';
import { UsageError } from './cli-error.js';
import { holdYoungGeneration } from '../server/start-up-heap.js';

const HELP = `opensq — a self-hosted OnlySq-compatible AI API gateway

Usage:
  opensq serve [--port N] [--host H] [--workers N]   start the server (PORT, HOST, OPENSQ_* variables);
                                                     --workers N runs N processes on one port (0: one per core)
  opensq keys create|list|revoke ...                 manage API keys
  opensq usage [--by key|user|model|day] ...         usage totals from the ledger; "usage rollup" rolls it up
  opensq chat -m MODEL "prompt"                      stream an answer (in-process, or --url of a server)
  opensq models [--json]                             list the catalog and each model's status
  opensq doctor [--json]                             show what is configured, missing and reachable
  opensq help [COMMAND]                              this text, or a command's

Every command takes --help. Exit codes: 0 done, 1 failed, 2 bad usage.
`;

const SERVE_HELP = `opensq serve — run the server

Usage:
  opensq serve [--port N] [--host H] [--workers N]

--workers N starts N worker processes sharing the port (0 or "auto": one per core); the primary
restarts a worker that dies and passes SIGTERM on, so each drains its requests. Without REDIS_URL
the workers share their rate limits through the primary.
`;

const MODELS_HELP = `opensq models [--json] — the resolved catalog (default catalog, local models, OPENSQ_CONFIG) and each model's status\n`;
const DOCTOR_HELP = `opensq doctor [--json] — which providers are configured, which variables are missing, whether the database and Redis answer\n`;

async function helpOf(command: string): Promise<string | undefined> {
  switch (command) {
    case 'serve':
      return SERVE_HELP;
    case 'keys':
      return (await import('./keys-command.js')).KEYS_HELP;
    case 'usage':
      return (await import('./usage-command.js')).USAGE_HELP;
    case 'chat':
      return (await import('./chat-command.js')).CHAT_HELP;
    case 'models':
      return MODELS_HELP;
    case 'doctor':
      return DOCTOR_HELP;
    default:
      return undefined;
  }
}

async function run(command: string, rest: string[]): Promise<number> {
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write((await helpOf(command)) ?? HELP);
    return 0;
  }
  const settings = loadSettings();
  switch (command) {
    case 'serve': {
      const { values } = parseArgs({ args: rest, options: { port: { type: 'string' }, host: { type: 'string' }, workers: { type: 'string' } } });
      const env = { ...process.env };
      if (values.port) env.PORT = values.port;
      if (values.host) env.HOST = values.host;
      const serveSettings = loadSettings(env);
      // Until the server listens (serve.ts releases it): start-up's modules must not size the young generation.
      holdYoungGeneration();
      if (values.workers !== undefined) {
        const { serveWorkers, workerCount } = await import('../server/serve-workers.js');
        await serveWorkers(serveSettings, workerCount(values.workers));
      } else {
        const { serve } = await import('../server/serve.js');
        await serve(serveSettings);
      }
      return -1;
    }
    case 'keys': {
      const { keysCommand } = await import('./keys-command.js');
      process.stdout.write(await keysCommand(settings, rest));
      return 0;
    }
    case 'usage': {
      const { usageCommand } = await import('./usage-command.js');
      process.stdout.write(await usageCommand(settings, rest));
      return 0;
    }
    case 'chat': {
      const { chatCommand, ChatFailed } = await import('./chat-command.js');
      try {
        await chatCommand(settings, rest, (text) => process.stdout.write(text));
      } catch (error) {
        if (!(error instanceof ChatFailed)) throw error;
        process.stderr.write(`opensq: ${error.message}\n`);
        return 1;
      }
      return 0;
    }
    case 'models':
    case 'doctor': {
      const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' } } });
      const json = values.json === true;
      const { describeCatalog } = await import('./describe-catalog.js');
      const catalog = describeCatalog(settings, command, json);
      if (command === 'models') {
        process.stdout.write(catalog);
        return 0;
      }
      const { checkServices } = await import('./check-services.js');
      const services = await checkServices(settings);
      if (json) process.stdout.write(`${JSON.stringify({ ...JSON.parse(catalog), services }, null, 2)}\n`);
      else process.stdout.write(`${catalog}\n${services.map((s) => `${s.ok ? 'ok     ' : 'FAILED '} ${s.name.padEnd(10)} ${s.detail}`).join('\n')}\n`);
      return services.every((s) => s.ok) ? 0 : 1;
    }
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write((rest[0] && (await helpOf(rest[0]))) || HELP);
      return 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

async function main(argv: string[]): Promise<number> {
  const [command = 'help', ...rest] = argv;
  try {
    return await run(command, rest);
  } catch (error) {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    if (!usage) throw error;
    process.stderr.write(`opensq: ${(error as Error).message}\n\n${(await helpOf(command)) ?? HELP}`);
    return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // A finished command exits now rather than when idle keep-alive sockets time out.
    if (code >= 0) process.exit(code);
  },
  (error: Error) => {
    process.stderr.write(`opensq: ${error.message}\n`);
    process.exit(1);
  },
);
