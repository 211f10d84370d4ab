import { spawn } from 'node:child_process';
import { ApiError } from '../../core/errors.js';

export const ESPEAK_BINARY = 'espeak-ng';

export interface EspeakOutput {
  stdout: Buffer;
  stderr: string;
  code: number | null;
}

/** The binary is missing: the operator has to install it, so a 503 that says how. */
export function espeakMissing(): ApiError {
  return new ApiError('provider_not_configured', `${ESPEAK_BINARY} is not installed on this server (install the espeak-ng package, e.g. apt-get install espeak-ng).`);
}

/**
 * Runs espeak-ng with `args`, writing `input` to its standard input (so text can never be read as
 * an option), and collects its output. Aborting the signal kills the process.
 */
export function runEspeak(args: string[], input: string | undefined, signal?: AbortSignal): Promise<EspeakOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(ESPEAK_BINARY, args, { stdio: ['pipe', 'pipe', 'pipe'], signal });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') reject(espeakMissing());
      else if (error.name === 'AbortError') reject(new ApiError('upstream_timeout', 'speech synthesis was aborted', { cause: error, status: 499 }));
      else reject(error);
    });
    child.once('close', (code) => resolve({ stdout: Buffer.concat(out), stderr: err, code }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}
