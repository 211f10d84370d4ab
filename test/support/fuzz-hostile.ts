import type { Rng } from './fuzz-random.js';

/**
 * Hostile values for the fuzzer: text no client should send but any client can, and JSON mutations
 * (hostile string values and keys, wrong types, unknown keys, deep nesting). Lone surrogates stay
 * lone: JSON.stringify writes them as `\ud800` escapes, which the server's JSON.parse accepts.
 */
const PIECES: readonly string[] = [
  // Non-ASCII: Latin-1 and beyond, combining marks, emoji and joiners, RTL and bidi overrides.
  '\u0100', '\u00ff', '\u00e9', 'e\u0301', '\u0301\u0302\u0303', 'Z\u0324\u0354\u0367\u0311\u0313a\u0308\u0356\u032d', '\u{1F600}',
  '\u{1F469}\u200d\u{1F469}\u200d\u{1F467}', '\u{1F1FA}\u{1F1E6}', '\u200f', '\u202e', '\u200b', '\u2028', '\u2029', '\ufeff',
  '\ufffd', '\uffff', '\u0645\u0631\u062d\u0628\u0627', '\u05e9\u05dc\u05d5\u05dd', '\u65e5\u672c\u8a9e', '\u0939\u093f\u0928\u094d\u0926\u0940', '\ua66e', '\ufdfa',
  // Lone and reversed surrogates.
  '\ud800', '\udc00', '\udbff', '\ud83d', '\udfff\ud800',
  // Control characters.
  '\u0000', '\r', '\n', '\r\n', '\u001b[31m', '\u007f', '\t', '\u0008', '\u0085', '\u0000\u0000\u0000',
  // Header and SSE injection attempts.
  '\r\nx-injected: 1', '\r\n\r\nHTTP/1.1 200 OK\r\nx-injected: 1\r\n\r\n', '%0d%0ax-injected:%201', 'data: [DONE]\n\n', 'event: error\ndata: {}\n\n',
  // JSON-special and other interpreters' special text.
  '"', '\\', '"}', '{"a":1}', '\\u0000', '\\ud800', '</script><script>alert(1)</script>', "' OR 1=1 --", '${jndi:ldap://x/a}',
  '{{7*7}}', '%s%n%x', '../../../../etc/passwd', 'null', 'undefined', 'NaN', '__proto__', 'constructor', '$where',
  // Plain text, so some strings stay readable.
  'hello', ' ', 'model', 'gpt-4o-mini', 'x', '0', '-1', '1e400', '#',
];

/** Keys a server might treat specially when a body is spread or merged into an object. */
const SPECIAL_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'model', 'messages', 'stream', ''];

/** The fakes' fault markers (`#fail-500`, `#echo-key-401`, ...) are never sent by accident. */
function disarm(text: string): string {
  return text.replace(/#(?=[A-Za-z])/g, '#_');
}

/** A hostile string: usually short, sometimes a few KB, rarely up to ~100 KB. */
export function hostileString(rng: Rng): string {
  const size = rng.weighted([['short', 90], ['medium', 8], ['long', 2]] as const);
  let text = '';
  for (let i = rng.int(1, 6); i > 0; i--) text += rng.pick(PIECES);
  if (size !== 'short') {
    const target = size === 'medium' ? rng.int(1000, 4000) : rng.int(10_000, 100_000);
    const unit = text;
    while (text.length < target) text += rng.chance(0.8) ? unit : rng.pick(PIECES);
    text = text.slice(0, target);
  }
  return disarm(text);
}

/** A hostile object key: mostly short (keys are names), sometimes special or long. */
export function hostileKey(rng: Rng): string {
  if (rng.chance(0.15)) return rng.pick(SPECIAL_KEYS);
  if (rng.chance(0.03)) return disarm(rng.pick(PIECES).repeat(rng.int(100, 3000)));
  let key = '';
  for (let i = rng.int(1, 3); i > 0; i--) key += rng.pick(PIECES);
  return disarm(key);
}

/**
 * A string's UTF-8 bytes as a header value a real client could send: undici (like every HTTP
 * client) refuses CR, LF, NUL and other control bytes in header values, so those are dropped; bytes
 * 0x80-0xff go on the wire as they are (obs-text), as curl sends UTF-8.
 */
export function headerValue(text: string, maxBytes = 2048): string {
  const bytes = [...Buffer.from(text, 'utf8')].filter((b) => b === 0x09 || (b >= 0x20 && b !== 0x7f)).slice(0, maxBytes);
  return Buffer.from(bytes).toString('latin1').replace(/^[\t ]+|[\t ]+$/g, '');
}

/** Percent-encodes a string's UTF-8 bytes for a URL (a lone surrogate becomes U+FFFD's bytes), sometimes with broken escapes. */
export function urlComponent(rng: Rng, text: string): string {
  let out = '';
  for (const b of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (rng.chance(0.1)) out += rng.pick(['%', '%zz', '%C0%80', '%ED%A0%80', '%FF%FE', '%00', '..%2F..%2F', '%E0%A4%A']);
  return out;
}

/** Sets a key as an own, enumerable property, even `__proto__` (which `obj[key] = v` would not). */
export function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function nested(depth: number, leaf: unknown, asObject: boolean): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = asObject ? { a: value } : [value];
  return value;
}

/** A value of the wrong type for `value`'s place. */
export function wrongType(rng: Rng, value: unknown): unknown {
  const choices: Array<() => unknown> = [
    () => rng.pick([0, -1, 1.5, 1e308, -1e-308, 2 ** 53 + 2, -0, 4294967296]),
    () => rng.chance(0.5),
    () => null,
    () => ({}),
    () => [],
    () => '',
    () => hostileString(rng),
    () => nested(50, rng.chance(0.5) ? 'deep' : 1, rng.chance(0.3)),
    () => (Array.isArray(value) ? Object.fromEntries(value.map((v, i) => [String(i), v])) : [value]),
    () => Array.from({ length: rng.int(100, 2000) }, () => null),
  ];
  return rng.pick(choices)();
}

/** A small JSON value of any type, for unknown keys. */
export function randomJson(rng: Rng): unknown {
  return rng.chance(0.5) ? hostileString(rng) : wrongType(rng, undefined);
}

export interface MutationRates {
  /** Chance that a string value is replaced by a hostile string. */
  string: number;
  /** Chance that an object key is replaced by a hostile key. */
  key: number;
  /** Chance that any value is replaced by one of the wrong type. */
  type: number;
  /** Chance that an object gains unknown hostile keys. */
  extraKey: number;
}

/** A copy of a JSON value with hostile strings, keys and types mixed in at the given rates. */
export function mutate(rng: Rng, value: unknown, rates: MutationRates, depth = 0): unknown {
  if (depth > 0 && rng.chance(rates.type)) return wrongType(rng, value);
  if (typeof value === 'string') return rng.chance(rates.string) ? hostileString(rng) : value;
  if (Array.isArray(value)) return value.map((item) => mutate(rng, item, rates, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) setKey(out, rng.chance(rates.key) ? hostileKey(rng) : key, mutate(rng, inner, rates, depth + 1));
  if (rng.chance(rates.extraKey)) for (let i = rng.int(1, 3); i > 0; i--) setKey(out, hostileKey(rng), randomJson(rng));
  return out;
}

/** Thousands of unknown keys on an object (a body of at most a few hundred KB). */
export function withHugeKeyCount(rng: Rng, body: Record<string, unknown>): Record<string, unknown> {
  const out = { ...body };
  const count = rng.int(1000, 8000);
  const stem = hostileKey(rng).slice(0, 20);
  for (let i = 0; i < count; i++) setKey(out, `${stem}${i}`, rng.chance(0.9) ? i : hostileString(rng).slice(0, 40));
  return out;
}

/** Bodies that are not a JSON object: broken JSON, other JSON values, invalid UTF-8, deep nesting. */
export function rawBody(rng: Rng, valid: string): Buffer {
  const choices: Array<() => Buffer | string> = [
    () => '',
    () => valid.slice(0, rng.int(0, Math.max(0, valid.length - 1))),
    () => rng.pick(['null', 'true', '0', '-0', '1e999', '"text"', '[]', '[{}]', '{}', 'NaN', 'undefined', '{"model":}', "{'model':'x'}", '{"a":1,}']),
    () => `${valid}${rng.pick(['xyz', '}', ',', '\u0000', ' {"b":2}'])}`,
    () => `\ufeff${valid}`,
    () => valid.replace(/"(model|messages|input|prompt|text)"/, '"$1":1,"$1"'),
    () => valid.replace(/ /g, '\u0000').replace(/a/g, '\n'),
    () => Buffer.concat([Buffer.from('{"model":"'), Buffer.from([0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80, 0xf8, 0x88, 0x80, 0x80, 0x80]), Buffer.from('","messages":[]}')]),
    () => Buffer.from(valid, 'utf16le'),
    () => {
      const depth = rng.int(1000, 20_000);
      return `${'['.repeat(depth)}${']'.repeat(rng.chance(0.5) ? depth : 0)}`;
    },
    () => {
      // Valid JSON: a deep value under an unknown key, which chat passes through to OpenAI-compatible upstreams.
      const depth = rng.int(1000, 20_000);
      return valid.replace(/^\{/, `{"deep":${'['.repeat(depth)}${']'.repeat(depth)},`);
    },
  ];
  const body = rng.pick(choices)();
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}
