import type { FuzzCase } from './fuzz-cases.js';
import type { FuzzOutcome } from './fuzz-send.js';

/**
 * Server bugs the hostile-input fuzzer found (all fixed since), each reproduced by one request in
 * `test/e2e/fuzz-hostile-input-bugs.test.ts`, which keeps them fixed. Should one come back, a fuzz
 * failure it explains is named after it. A case that would crash the server while its bug stands
 * can be held back with a `skip`, so the rest of the run still means something.
 */
export interface KnownBug {
  id: string;
  title: string;
  matches?: (c: FuzzCase, o: FuzzOutcome, problems: string[]) => boolean;
  skip?: (c: FuzzCase) => boolean;
}

export const KNOWN_BUGS: readonly KnownBug[] = [
  {
    id: 'BUG-1',
    title: 'a multipart upload whose form ends early while a part other than "file" is open crashes the server',
  },
  {
    id: 'BUG-2',
    title: "a malformed percent-escape or an over-long path parameter is answered in Fastify's error shape, not the route's",
    matches: (_c, _o, problems) => problems.some((p) => /FST_ERR_BAD_URL|FST_ERR_MAX_PARAM_LENGTH/.test(p)),
  },
  {
    id: 'BUG-3',
    title: "a request head over 16 KB is a 431 in Fastify's error shape, not the route's",
    matches: (_c, o) => o.status === 431,
  },
  {
    id: 'BUG-4',
    title: 'deeply nested JSON passed through to an upstream overflows the stack: a 502 blamed on the provider, which cools its deployment down',
    matches: (_c, o) => o.status === 502 && o.text.includes('Maximum call stack size exceeded'),
  },
  {
    id: 'BUG-5',
    title: 'a Cloud upload with a Content-Type that is not a media type is a 500 (logged with a stack, with a usage row), not a 415',
    matches: (c, o) => c.route === 'POST /cloud/upload' && o.status === 500,
  },
  {
    id: 'BUG-6',
    title: 'a CORS preflight reflects Access-Control-Request-Headers unchecked into Access-Control-Allow-Headers: client bytes, non-ASCII included, in a response header',
    matches: (c, _o, problems) => c.method === 'OPTIONS' && problems.every((p) => p.startsWith('header access-control-allow-headers')),
  },
  {
    id: 'BUG-8',
    title: "a request body holding a value nested ~5,000 deep is kept, and from then on GET /admin/requests/{id} answers 500 for it (Fastify's JSON.stringify overflows the stack)",
    matches: (c, o) => c.route === 'GET /admin/requests/{id}' && o.status === 500,
  },
  {
    // Seen only after the run: the in-flight gauges, the limited key's slots and its balance.
    id: 'BUG-9',
    title: 'on Postgres, a stream whose client leaves during admission is never settled: in flight forever, holding its key slot, its deployment and its credit reservation',
  },
  {
    id: 'BUG-10',
    title: 'on Postgres, a NUL character in an admin key name, key id or usage filter is a 500 (SQLite takes it)',
    matches: (c, o) => o.status === 500 && c.route.includes(' /admin/') && (c.path.includes('%00') || Boolean(c.body?.includes('\\u0000'))),
  },
  {
    id: 'BUG-11',
    title: "a request that fails with a 5xx is logged with its whole URL: a client's 16 KB query string becomes a 16 KB log line",
  },
  {
    // The fuzzer keeps its chunks few (fuzz-cases.ts); one run with 2 MB in one-byte chunks took the server to 1.2 GB.
    id: 'BUG-7',
    title: 'a JSON body sent in one-byte chunks costs the server ~400 bytes of memory per byte: 16 MiB (the default body limit) would take ~6 GB',
  },
];
