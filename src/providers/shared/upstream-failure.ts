/** An upstream's error answer, as a provider's error mapper reads it. */
export interface UpstreamFailure {
  /** The provider instance's name, for the message and the error's details. */
  provider: string;
  /** The HTTP status, or the one a stream's error event stands for. */
  status: number;
  /** The answer's text as received; kept (redacted later) as the error's upstream body. */
  body: string;
  /** The answer's Retry-After header, if any. */
  retryAfter?: string;
}
