import { parseArgs } from 'node:util';
import { announceKeyChange } from '../auth/key-change-broadcast.js';
import { KeyRecords, type KeyView } from '../auth/key-records.js';
import type { Settings } from '../config/settings.js';
import { numberOption, UsageError } from './cli-error.js';
import { withDatabase } from './open-storage.js';

export const KEYS_HELP = `opensq keys — manage API keys (works on the database directly; the server need not run)

Usage:
  opensq keys create --name NAME [--user ID] [--tier 0-3] [--models a,b] [--rpm N] [--tpm N]
                     [--rpd N] [--max-concurrency N] [--credits N] [--expires-at ISO] [--json]
      prints the new key; it is shown only this once
  opensq keys list [--user ID] [--all] [--json]     keys (never their secrets); --all adds revoked keys
  opensq keys revoke ID [--json]                    the key is a 401 from then on

A limit left out is the tier's default; --credits left out means no credit limit.
Exit codes: 0 done, 1 failed (e.g. no such key), 2 bad usage.
`;

function line(k: KeyView): string {
  const limits = [k.rpm && `rpm ${k.rpm}`, k.tpm && `tpm ${k.tpm}`, k.rpd && `rpd ${k.rpd}`, k.max_concurrency && `conc ${k.max_concurrency}`].filter(Boolean).join(' ');
  return `${k.id}  ${k.prefix}…  ${k.status.padEnd(7)}  user ${k.user}  tier ${k.tier}  ${k.name}${limits ? `  (${limits})` : ''}${k.credits !== null ? `  credits ${k.credits}` : ''}`;
}

/** Running servers sharing REDIS_URL drop their cached keys at once; others within seconds. */
async function announce(settings: Settings): Promise<void> {
  if (settings.redisUrl) await announceKeyChange(settings.redisUrl, settings.redisPrefix);
}

export async function keysCommand(settings: Settings, args: string[]): Promise<string> {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' },
      user: { type: 'string' },
      tier: { type: 'string' },
      models: { type: 'string' },
      rpm: { type: 'string' },
      tpm: { type: 'string' },
      rpd: { type: 'string' },
      'max-concurrency': { type: 'string' },
      credits: { type: 'string' },
      'expires-at': { type: 'string' },
      all: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    allowPositionals: true,
  });
  const json = values.json === true;
  const out = (value: unknown, text: string): string => (json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
  switch (action) {
    case 'create': {
      if (!values.name) throw new UsageError('keys create needs --name');
      const fields = {
        name: values.name,
        user: numberOption(values.user, 'user'),
        tier: numberOption(values.tier, 'tier'),
        allowed_models: values.models?.split(',').map((m) => m.trim()).filter(Boolean),
        rpm: numberOption(values.rpm, 'rpm'),
        tpm: numberOption(values.tpm, 'tpm'),
        rpd: numberOption(values.rpd, 'rpd'),
        max_concurrency: numberOption(values['max-concurrency'], 'max-concurrency'),
        credits: numberOption(values.credits, 'credits'),
        expires_at: values['expires-at'],
      };
      const { view, key } = await withDatabase(settings, (db) => new KeyRecords(db).create(fields));
      await announce(settings);
      return out({ ...view, key }, `${key}\n${line(view)}\nKeep the key now: it is not shown again.`);
    }
    case 'list': {
      const keys = await withDatabase(settings, (db) => new KeyRecords(db).list({ user: numberOption(values.user, 'user'), includeRevoked: values.all === true }));
      return out({ object: 'list', data: keys }, keys.map(line).join('\n'));
    }
    case 'revoke': {
      const id = positionals[0];
      if (!id) throw new UsageError('keys revoke needs the key id (see opensq keys list)');
      const view = await withDatabase(settings, (db) => new KeyRecords(db).revoke(id));
      await announce(settings);
      return out(view, `revoked ${line(view)}`);
    }
    default:
      throw new UsageError(action ? `unknown keys command "${action}"` : 'keys needs a command');
  }
}
