import { connect, type Socket } from 'node:net';

export interface Uploaded {
  status: number;
  json: any;
  headers: Headers;
}

/** `POST /cloud/upload` with the file in the multipart field `file`, as a browser or `requests` sends it. */
export async function upload(base: string, name: string, bytes: Buffer, type = 'application/octet-stream', headers: Record<string, string> = {}): Promise<Uploaded> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
  const res = await fetch(`${base}/cloud/upload`, { method: 'POST', body: form, headers });
  return { status: res.status, json: await res.json(), headers: res.headers };
}

export const BOUNDARY = '----opensq-test-boundary-7MA4YWxkTrZu0gW';

/** The bytes around a file in a one-field multipart body. */
export function multipartFrame(name: string, type: string): { head: Buffer; tail: Buffer } {
  return {
    head: Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: ${type}\r\n\r\n`),
    tail: Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  };
}

/** An upload sent chunked (no Content-Length), so the server learns its size only as the bytes arrive. */
export async function streamedUpload(base: string, name: string, size: number, headers: Record<string, string> = {}): Promise<Uploaded> {
  const { head, tail } = multipartFrame(name, 'application/octet-stream');
  const res = await fetch(`${base}/cloud/upload`, {
    method: 'POST',
    headers: { ...headers, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    body: new Blob([new Uint8Array(head), new Uint8Array(size), new Uint8Array(tail)]).stream(),
    duplex: 'half',
  } as RequestInit);
  return { status: res.status, json: await res.json(), headers: res.headers };
}

export interface RawAnswer {
  status: number;
  head: string;
  body: string;
}

/** Sends a request byte for byte (no URL normalisation, unlike fetch) and reads the whole answer. */
export function rawRequest(base: string, request: string): Promise<RawAnswer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let data = '';
    socket.on('data', (d) => (data += d.toString('latin1')));
    socket.on('error', reject);
    socket.on('end', () => {
      const split = data.indexOf('\r\n\r\n');
      resolve({ status: Number(data.slice(9, 12)), head: data.slice(0, split), body: data.slice(split + 4) });
    });
    // Not end(): a half-closed socket may get no answer at all.
    socket.write(request);
  });
}

/** Opens an upload of `declared` bytes and writes only `send` of them, leaving the socket open for the caller to cut. */
export function partialUpload(base: string, declared: number, send: number): Promise<Socket> {
  const { hostname, port } = new URL(base);
  const { head, tail } = multipartFrame('partial.bin', 'application/octet-stream');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `POST /cloud/upload HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\n` +
          `Content-Length: ${head.length + declared + tail.length}\r\n\r\n`,
      );
      socket.write(head);
      socket.write(Buffer.alloc(send, 7), () => resolve(socket));
    });
    socket.on('error', reject);
  });
}
