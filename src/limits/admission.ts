import type { ApiKey } from '../auth/key-store.js';
import type { Model } from '../routing/catalog.js';
import type { LimitValues } from './limit-values.js';

/**
 * The most a request can use, in the units its model is priced in, known before it is sent. The
 * answer is the one part only the upstream decides: admission caps it (see `Ticket.answerCap`).
 */
export interface WorstCase {
  /** An upper bound of the prompt's tokens. */
  promptTokens: number;
  /** The answer's limit per choice the client asked for; undefined: the model's own limit. */
  answerTokens: number | undefined;
  /** Answers generated (`n`). */
  choices: number;
  images: number;
  characters: number;
  /** The request declares the provider's built-in tools (billed per call), with the most calls it allows; undefined: none declared. */
  builtinTools?: { maxCalls: number | undefined };
}

/** What a request is expected to cost, known before it is sent upstream. */
export interface AdmissionRequest {
  key: ApiKey;
  model: Model;
  endpoint: string;
  /** Tokens expected before the call (prompt plus the answer's limit); computed only if a limit needs it. */
  estimateTokens(): number;
  /** Computed only for keys with a credit balance. */
  worstCase(): WorstCase;
}

/** What a request really cost, known once it has ended. */
export interface Settlement {
  promptTokens: number;
  completionTokens: number;
  cost: number;
}

/** A place held by an admitted request; settle it exactly once, whatever happened. */
export interface Ticket {
  /**
   * The most answer tokens per choice the key's credit affords, when that is less than the request
   * (or the model) would otherwise allow; the provider must not generate more.
   */
  readonly answerCap?: number;
  /**
   * The most built-in tool calls the key's credit affords, for a request that declares built-in tools on a
   * key with a balance: the provider must be sent it as its limit (`max_tool_calls`).
   */
  readonly toolCallCap?: number;
  settle(settlement: Settlement): Promise<void> | void;
}

/**
 * The gate every upstream-bound request passes before it is sent: rate limits, concurrency,
 * credits. `admit` throws an ApiError (429 with Retry-After, 402, 403) to refuse.
 */
export interface Admission {
  admit(request: AdmissionRequest): Promise<Ticket> | Ticket;
  /** The limits every anonymous request shares (the public key and key-less requests). */
  anonymousLimits(): LimitValues;
}

/** The ticket of a request no limit or credit applies to: settling it does nothing. */
export const NO_TICKET: Ticket = { settle: () => undefined };
