import type { Readable } from 'node:stream';
import { Agent, type Dispatcher, request } from 'undici';
import { ApiError } from '../../core/errors.js';
import type { S3Settings } from './cloud-settings.js';
import { EMPTY_SHA256, canonicalQuery, sha256Hex, signV4, uriEncode } from './sign-v4.js';

interface S3Call {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  key: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Buffer;
}

/** S3 error bodies are XML: `<Error><Code>NoSuchKey</Code><Message>...</Message></Error>`. */
function xmlValue(xml: string, tag: string): string | undefined {
  return new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];
}

/** An S3 failure; kept as our 502 except a missing key, which is the caller's 404. */
function s3Error(status: number, xml: string, what: string): ApiError {
  const code = xmlValue(xml, 'Code') ?? `HTTP ${status}`;
  if (code === 'NoSuchKey' || (status === 404 && what.startsWith('GET'))) return new ApiError('not_found', 'No such file.');
  return new ApiError('upstream_error', `object storage refused ${what}: ${code} ${xmlValue(xml, 'Message') ?? ''}`.trim(), { status: 502 });
}

/**
 * The few S3 operations the Cloud store needs, signed with SigV4, against AWS or any
 * S3-compatible server (path-style addressing for the latter).
 */
export class S3Client {
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, connections: 64 });
  private readonly origin: string;
  private readonly host: string;
  private readonly pathPrefix: string;

  constructor(private readonly settings: S3Settings) {
    const endpoint = new URL(settings.endpoint ?? `https://s3.${settings.region}.amazonaws.com`);
    if (settings.forcePathStyle) {
      this.origin = endpoint.origin;
      this.host = endpoint.host;
      this.pathPrefix = `/${uriEncode(settings.bucket)}`;
    } else {
      this.host = `${settings.bucket}.${endpoint.host}`;
      this.origin = `${endpoint.protocol}//${this.host}`;
      this.pathPrefix = '';
    }
  }

  private async send(call: S3Call): Promise<Dispatcher.ResponseData> {
    const path = `${this.pathPrefix}/${uriEncode(this.settings.prefix + call.key, true)}`;
    const query = call.query ?? {};
    const payloadHash = call.body ? sha256Hex(call.body) : EMPTY_SHA256;
    const headers = signV4(
      { method: call.method, host: this.host, path, query, headers: call.headers ?? {}, payloadHash },
      { accessKeyId: this.settings.accessKeyId, secretAccessKey: this.settings.secretAccessKey, region: this.settings.region, service: 's3' },
    );
    const qs = canonicalQuery(query);
    // undici sets Host from the URL; sending it again would duplicate it.
    delete headers.host;
    try {
      return await request(`${this.origin}${path}${qs ? `?${qs}` : ''}`, {
        method: call.method,
        headers: call.body ? { ...headers, 'content-length': String(call.body.length) } : headers,
        body: call.body,
        dispatcher: this.agent,
        headersTimeout: 60_000,
        bodyTimeout: 60_000,
      });
    } catch (error) {
      throw new ApiError('upstream_error', `object storage is unreachable: ${(error as Error).message}`, { status: 502, cause: error });
    }
  }

  private async expectOk(res: Dispatcher.ResponseData, what: string): Promise<string> {
    const text = await res.body.text();
    if (res.statusCode >= 300) throw s3Error(res.statusCode, text, what);
    return text;
  }

  async putObject(key: string, body: Buffer, contentType: string): Promise<void> {
    await this.expectOk(await this.send({ method: 'PUT', key, body, headers: { 'content-type': contentType } }), `PUT ${key}`);
  }

  async createMultipartUpload(key: string, contentType: string): Promise<string> {
    const xml = await this.expectOk(await this.send({ method: 'POST', key, query: { uploads: '' }, headers: { 'content-type': contentType } }), `POST ${key}?uploads`);
    const uploadId = xmlValue(xml, 'UploadId');
    if (!uploadId) throw s3Error(502, xml, `POST ${key}?uploads`);
    return uploadId;
  }

  async uploadPart({ key, uploadId, partNumber, body }: { key: string; uploadId: string; partNumber: number; body: Buffer }): Promise<string> {
    const res = await this.send({ method: 'PUT', key, query: { partNumber: String(partNumber), uploadId }, body });
    await this.expectOk(res, `PUT ${key} part ${partNumber}`);
    const etag = res.headers.etag;
    if (typeof etag !== 'string') throw new ApiError('upstream_error', 'object storage sent a part without an ETag', { status: 502 });
    return etag;
  }

  async completeMultipartUpload(key: string, uploadId: string, etags: string[]): Promise<void> {
    const parts = etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</ETag></Part>`).join('');
    const body = Buffer.from(`<CompleteMultipartUpload>${parts}</CompleteMultipartUpload>`);
    const xml = await this.expectOk(await this.send({ method: 'POST', key, query: { uploadId }, body, headers: { 'content-type': 'application/xml' } }), `complete ${key}`);
    // S3 may answer 200 and still report a failure in the body.
    if (xml.includes('<Error>')) throw s3Error(502, xml, `complete ${key}`);
  }

  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    const res = await this.send({ method: 'DELETE', key, query: { uploadId } });
    await res.body.dump();
  }

  async getObject(key: string, range?: { start: number; end: number }): Promise<Readable> {
    const res = await this.send({ method: 'GET', key, headers: range ? { range: `bytes=${range.start}-${range.end}` } : {} });
    if (res.statusCode >= 300) throw s3Error(res.statusCode, await res.body.text(), `GET ${key}`);
    return res.body;
  }

  async deleteObject(key: string): Promise<void> {
    await this.expectOk(await this.send({ method: 'DELETE', key }), `DELETE ${key}`);
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
