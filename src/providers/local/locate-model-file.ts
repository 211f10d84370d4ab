import { existsSync } from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../core/errors.js';
import { describeError } from './describe-error.js';

type NodeLlamaCpp = typeof import('node-llama-cpp');

const REMOTE = /^(hf:|huggingface:|https?:\/\/)/i;
/** How long the download host may take to answer the reachability check. */
const PROBE_MS = 15_000;
/** A download showing no progress for this long is given up. */
const STALL_MS = 60_000;
const PROGRESS_EVERY_MS = 5_000;

/**
 * The GGUF file for a model location: a path, or an `hf:` URI or URL downloaded into `modelsDir`
 * once and found there afterwards. Failures are `model_unavailable`; nothing is cached here, so a
 * later request tries again.
 */
export async function locateModelFile(lib: NodeLlamaCpp, location: string, modelsDir: string): Promise<string> {
  if (!REMOTE.test(location)) {
    const file = path.resolve(location);
    if (!existsSync(file)) throw new ApiError('model_unavailable', `local model file not found: ${location}`);
    return file;
  }
  try {
    return await lib.resolveModelFile(location, { directory: modelsDir, download: false, cli: false });
  } catch {
    // Not downloaded yet.
  }
  try {
    await probe(downloadOrigin(location));
    return await download(lib, location, modelsDir);
  } catch (error) {
    throw new ApiError('model_unavailable', `could not download local model ${location}: ${describeError(error)}`, { cause: error });
  }
}

/** The host node-llama-cpp downloads from, resolved the way it does. */
function downloadOrigin(location: string): string {
  if (/^https?:\/\//i.test(location)) return new URL(location).origin;
  return process.env.MODEL_ENDPOINT || process.env.HF_ENDPOINT || 'https://huggingface.co/';
}

/**
 * node-llama-cpp retries an unreachable host without end and ignores its abort signal while doing
 * so, which would leave a request (and a retry loop) hanging; asking the host first fails fast.
 */
async function probe(origin: string): Promise<void> {
  await fetch(origin, { method: 'HEAD', signal: AbortSignal.timeout(PROBE_MS) });
}

function download(lib: NodeLlamaCpp, location: string, modelsDir: string): Promise<string> {
  const controller = new AbortController();
  const report = progressReporter(location, modelsDir);
  return new Promise((resolve, reject) => {
    let stallTimer: NodeJS.Timeout | undefined;
    const rearm = (): void => {
      clearTimeout(stallTimer);
      stallTimer = setTimeout(() => {
        const error = new Error(`no download progress for ${STALL_MS / 1000} s`);
        controller.abort(error);
        reject(error);
      }, STALL_MS);
    };
    rearm();
    lib
      .resolveModelFile(location, {
        directory: modelsDir,
        cli: false,
        signal: controller.signal,
        onProgress: (status) => {
          rearm();
          report(status);
        },
      })
      .then(resolve, reject)
      .finally(() => clearTimeout(stallTimer));
  });
}

/** Logs a download's progress to stderr every few seconds, since it may take minutes. */
function progressReporter(location: string, modelsDir: string): (status: { totalSize: number; downloadedSize: number }) => void {
  let lastAt = 0;
  process.stderr.write(`opensq: downloading local model ${location} to ${modelsDir}\n`);
  return ({ totalSize, downloadedSize }) => {
    const now = Date.now();
    const done = totalSize > 0 && downloadedSize >= totalSize;
    if (!done && now - lastAt < PROGRESS_EVERY_MS) return;
    lastAt = now;
    const percent = totalSize > 0 ? ((downloadedSize / totalSize) * 100).toFixed(1) : '?';
    const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
    process.stderr.write(`opensq: ${location}: ${percent}% (${mb(downloadedSize)} of ${mb(totalSize)} MB)\n`);
  };
}
