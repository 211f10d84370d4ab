import type { Settings } from '../config/settings.js';

/**
 * What of a request's body text the ledger keeps: the text itself (the string the JSON parser
 * received, not a copy), null when it is over the size cap, undefined when bodies are not logged.
 */
export function keptRequestBody(settings: Pick<Settings, 'logRequestBodies' | 'requestBodyMaxBytes'>, text: string | undefined): string | null | undefined {
  if (!settings.logRequestBodies || text === undefined) return undefined;
  const max = settings.requestBodyMaxBytes;
  // UTF-8 takes 1 to 3 bytes per UTF-16 unit: most bodies are decided without counting.
  if (text.length > max) return null;
  if (text.length * 3 <= max) return text;
  return Buffer.byteLength(text) > max ? null : text;
}
