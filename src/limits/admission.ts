import type { ApiKey } from '../auth/key-store.js';
import type { Model } from '../routing/catalog.js';

/** What a request is expected to cost, known before it is sent upstream. */
export interface AdmissionRequest {
  key: ApiKey;
  model: Model;
  endpoint: string;
  /** Tokens expected before the call (prompt plus the answer's limit); computed only if a limit needs it. */
  estimateTokens(): number;
}

/** What a request really cost, known once it has ended. */
export interface Settlement {
  promptTokens: number;
  completionTokens: number;
  cost: number;
}

/** A place held by an admitted request; settle it exactly once, whatever happened. */
export interface Ticket {
  settle(settlement: Settlement): Promise<void> | void;
}

/**
 * The gate every upstream-bound request passes before it is sent: rate limits, concurrency,
 * credits. `admit` throws an ApiError (429 with Retry-After, 402, 403) to refuse.
 */
export interface Admission {
  admit(request: AdmissionRequest): Promise<Ticket> | Ticket;
}

/** The ticket of a request no limit or credit applies to: settling it does nothing. */
export const NO_TICKET: Ticket = { settle: () => undefined };

