import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { request } from 'undici';

/** s3rver's built-in account. */
export const S3_ACCESS_KEY = 'S3RVER';
export const S3_SECRET_KEY = 'S3RVER';
export const S3_REGION = 'us-east-1';

export interface S3TestServer {
  /** The endpoint to give as S3_ENDPOINT: the signature-checking front of s3rver. */
  url: string;
  bucket: string;
  /** Every request that reached it: method, path and query as sent, status answered. */
  log: Array<{ method: string; url: string; status: number }>;
  /** Keys of the objects stored in the bucket (read from s3rver's folder). */
  objectKeys(): string[];
  close(): Promise<void>;
}

const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();
const enc = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Checks a request's AWS Signature Version 4 from what actually arrived — the raw path and query,
 * the header values received, the body's real SHA-256 — as S3 does. s3rver itself does not check
 * V4 signatures, so without this a wrong signature would pass unnoticed.
 */
function signatureProblem(req: IncomingMessage, body: Buffer): string | undefined {
  const auth = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(req.headers.authorization ?? '');
  if (!auth) return 'no SigV4 Authorization header';
  const [, accessKey, day, region, signedHeaders, signature] = auth;
  if (accessKey !== S3_ACCESS_KEY || region !== S3_REGION) return 'wrong credential scope';
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  if (!amzDate.startsWith(day)) return 'x-amz-date does not match the scope';
  const payloadHash = String(req.headers['x-amz-content-sha256'] ?? '');
  if (payloadHash !== createHash('sha256').update(body).digest('hex')) return 'x-amz-content-sha256 is not the hash of the body';
  const names = signedHeaders.split(';');
  if (!names.includes('host')) return 'host is not signed';
  const [rawPath, rawQuery = ''] = (req.url ?? '/').split('?');
  const query = rawQuery
    .split('&')
    .filter(Boolean)
    .map((pair) => pair.split('=').map((p) => enc(decodeURIComponent(p))) as [string, string?])
    .map(([k, v = '']) => `${k}=${v}`)
    .sort()
    .join('&');
  const headers = names.map((n) => `${n}:${String(req.headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonical = [req.method, rawPath, query, headers, signedHeaders, payloadHash].join('\n');
  const scope = `${day}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${S3_SECRET_KEY}`, day), region), 's3'), 'aws4_request');
  return createHmac('sha256', key).update(toSign).digest('hex') === signature ? undefined : 'SignatureDoesNotMatch';
}

/** s3rver (a real S3 REST server, from npm) behind a front that checks signatures as S3 does. */
export async function startS3TestServer(bucket = 'opensq'): Promise<S3TestServer> {
  const directory = mkdtempSync(path.join(os.tmpdir(), 's3rver-'));
  const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }], vhostBuckets: false });
  const { port } = await s3.run();
  const log: S3TestServer['log'] = [];
  const front: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const problem = signatureProblem(req, body);
      if (problem) {
        log.push({ method: req.method!, url: req.url!, status: 403 });
        res.writeHead(403, { 'content-type': 'application/xml' });
        return void res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code><Message>${problem}</Message></Error>`);
      }
      try {
        const headers = { ...req.headers };
        delete headers.host;
        delete headers.connection;
        const upstream = await request(`http://127.0.0.1:${port}${req.url}`, { method: req.method as 'GET', headers, body: body.length ? body : undefined });
        log.push({ method: req.method!, url: req.url!, status: upstream.statusCode });
        const out = { ...upstream.headers };
        delete out['transfer-encoding'];
        delete out.connection;
        res.writeHead(upstream.statusCode, out as Record<string, string>);
        for await (const chunk of upstream.body) if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
        res.end();
      } catch (error) {
        res.destroy(error as Error);
      }
    });
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(front.address() as AddressInfo).port}`,
    bucket,
    log,
    objectKeys: () =>
      (readdirSync(path.join(directory, bucket), { recursive: true }) as string[])
        .filter((f) => f.endsWith('._S3rver_object'))
        .map((f) => f.replace(/\._S3rver_object$/, '')),
    close: async () => {
      front.closeAllConnections();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await s3.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
