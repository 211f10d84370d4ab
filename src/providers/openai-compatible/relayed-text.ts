/** Chunk text kept before it is folded into the answer's text: a few hundred chunks of a typical stream. */
export const HELD_CHUNK_CHARS = 65_536;

/**
 * The generated text of a relayed stream, for counting its tokens when the upstream sends no
 * usage. The relay passes chunks on without parsing them; they are kept as they are only up to
 * HELD_CHUNK_CHARS, then parsed once and folded into their text (a few characters out of a chunk's
 * ~150), so a long stream holds its text, not every chunk. Once usage that can be billed has come
 * nothing is kept (the relay does not call `usageArrived` for impossible counts).
 */
export class RelayedText {
  private chunks: string[] = [];
  private chunkChars = 0;
  private folded = '';
  private counted = false;

  add(chunk: string): void {
    if (this.counted) return;
    this.chunks.push(chunk);
    this.chunkChars += chunk.length;
    if (this.chunkChars > HELD_CHUNK_CHARS) this.fold();
  }

  /** The upstream reported usage that can be billed: the text is not needed any more. */
  usageArrived(): void {
    this.counted = true;
    this.chunks = [];
    this.chunkChars = 0;
    this.folded = '';
  }

  /** Characters held: chunks not yet folded, and the folded text. */
  get held(): number {
    return this.chunkChars + this.folded.length;
  }

  text(): string {
    this.fold();
    return this.folded;
  }

  private fold(): void {
    if (this.chunks.length === 0) return;
    this.folded += collectText(this.chunks);
    this.chunks = [];
    this.chunkChars = 0;
  }
}

/** The generated text of relayed chunks: content, reasoning and tool calls' names and arguments. */
function collectText(chunks: readonly string[]): string {
  let text = '';
  for (const chunk of chunks) {
    const parsed = safeParse(chunk) as { choices?: Array<{ delta?: Record<string, unknown> }> } | undefined;
    for (const choice of parsed?.choices ?? []) {
      const delta = choice.delta ?? {};
      if (typeof delta.content === 'string') text += delta.content;
      if (typeof delta.reasoning_content === 'string') text += delta.reasoning_content;
      for (const call of (delta.tool_calls as Array<{ function?: { name?: string; arguments?: string } }> | undefined) ?? []) {
        text += (call.function?.name ?? '') + (call.function?.arguments ?? '');
      }
    }
  }
  return text;
}

function safeParse(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
