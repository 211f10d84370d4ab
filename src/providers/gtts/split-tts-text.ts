/** Where text may be cut, best first: after a sentence, after a clause, between words. */
const BOUNDARIES = [/(?<=[.!?…;])\s+|(?<=[。！？；])/u, /(?<=[,:，、：])\s*/u, /\s+/u];

const length = (s: string): number => Array.from(s).length;

function hardSplit(text: string, max: number): string[] {
  const chars = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += max) out.push(chars.slice(i, i + max).join(''));
  return out;
}

/** Splits at the first boundary level that cuts the text, recursing into pieces that are still too long. */
function split(text: string, max: number, level: number): string[] {
  if (length(text) <= max) return [text];
  if (level >= BOUNDARIES.length) return hardSplit(text, max);
  const parts = text.split(BOUNDARIES[level]).map((p) => p.trim()).filter(Boolean);
  if (parts.length <= 1) return split(text, max, level + 1);
  return parts.flatMap((p) => split(p, max, level + 1));
}

/**
 * Cuts text into pieces of at most `max` characters for a TTS service with a per-request limit:
 * at sentence boundaries where possible, then clauses, then words, and packs consecutive pieces
 * together up to the limit so there are as few requests as possible. Order is kept.
 */
export function splitTtsText(text: string, max: number): string[] {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (!clean) return [];
  const chunks: string[] = [];
  let current = '';
  for (const piece of split(clean, max, 0)) {
    const joined = current ? `${current} ${piece}` : piece;
    if (length(joined) <= max) {
      current = joined;
    } else {
      chunks.push(current);
      current = piece;
    }
  }
  if (current) chunks.push(current);
  return chunks;
}
