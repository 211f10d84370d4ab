#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { loadSettings } from '../config/settings.js';

const HELP = `opensq — a self-hosted OnlySq-compatible AI API gateway

Usage:
  opensq serve [--port N] [--host H]   start the server (PORT, HOST, OPENSQ_* variables)
  opensq models [--json]               list the catalog and each model's status
  opensq doctor [--json]               show what is configured and what is missing
  opensq help                          this text
`;

async function main(argv: string[]): Promise<number> {
  const [command = 'help', ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: { port: { type: 'string' }, host: { type: 'string' }, json: { type: 'boolean' } },
    allowPositionals: true,
  });
  const env = { ...process.env };
  if (values.port) env.PORT = values.port;
  if (values.host) env.HOST = values.host;
  const settings = loadSettings(env);
  switch (command) {
    case 'serve': {
      const { serve } = await import('../server/serve.js');
      await serve(settings);
      return -1;
    }
    case 'models':
    case 'doctor': {
      const { describeCatalog } = await import('./describe-catalog.js');
      process.stdout.write(describeCatalog(settings, command, values.json === true));
      return 0;
    }
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return 0;
    default:
      process.stderr.write(`opensq: unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: Error) => {
    process.stderr.write(`opensq: ${error.message}\n`);
    process.exit(1);
  },
);
