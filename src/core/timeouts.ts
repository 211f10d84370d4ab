/** How long one upstream exchange may take, phase by phase: the model's own over its provider's. */
export interface Timeouts {
  connectMs: number;
  firstByteMs: number;
  idleMs: number;
  totalMs: number;
}
