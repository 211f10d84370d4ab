import type { Logger } from 'pino';
import type { ApiKey } from '../auth/key-store.js';
import { ApiError } from '../core/errors.js';
import type { UsageLedger } from '../usage/ledger.js';
import type { Model } from '../routing/catalog.js';
import { type Admission, type AdmissionRequest, NO_TICKET, type Settlement, type Ticket, type WorstCase } from './admission.js';
import type { CreditAccounts, Reservation } from './credit-accounts.js';
import type { LimitStore, TakeResult, WindowHit } from './limit-store.js';
import { type LimitValues, type TierTable } from './limit-values.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** A balance must afford the prompt and at least this many answer tokens to be admitted. */
const MIN_ANSWER = 16;
/**
 * Built-in tool calls reserved for a request that sets no `max_tool_calls`, on a key with a balance:
 * it is sent this limit (or less, what the credit affords), as nothing else bounds what it may cost.
 */
export const UNASKED_TOOL_CALLS = 32;
/**
 * How long past its model's total timeout a reservation is kept before the sweep gives it back as
 * abandoned: the request's usage write and settlement come after that timeout. A request that
 * settles later still is billed its cost, once (see UsageLedger.settleCredits).
 */
export const RESERVATION_GRACE_MS = 600_000;

/** The dearest of a model's built-in tool calls: a request's calls are reserved at it, whichever tools it makes. */
function dearestToolCall(cost: Model['cost']): number {
  let dearest = 0;
  for (const price of Object.values(cost.tool_calls ?? {})) if (price > dearest) dearest = price;
  return dearest;
}

export interface LimitAdmissionOptions {
  store: LimitStore;
  tiers: TierTable;
  /** Enforce the catalog's per-model requests per minute, by the key's tier. */
  modelLimits: boolean;
  credits: CreditAccounts;
  ledger: UsageLedger;
  /** Told of every refusal, to leave a usage row for it. */
  onRefused(request: AdmissionRequest, error: ApiError): Promise<void>;
  /** While the store cannot be reached, admit without its limits (rather than 503 limits_unavailable). */
  failOpen: boolean;
  log: Pick<Logger, 'warn' | 'info'>;
}

interface Window extends WindowHit {
  label: string;
}

/**
 * The real gate: per key (a key's own limits, else its tier's) requests per minute, tokens per
 * minute (estimated before the call, reconciled at settle), requests per UTC day and concurrent
 * requests; the catalog's per-model requests per minute by tier; `paid` models; credits. A key
 * and tier without limits or credits is admitted without touching any counter.
 */
export class LimitAdmission implements Admission {
  private readonly effective = new WeakMap<ApiKey, LimitValues>();
  /** Requests are being admitted without the store's limits (failing open), until it answers again. */
  private storeDown = false;

  constructor(private readonly options: LimitAdmissionOptions) {}

  anonymousLimits(): LimitValues {
    return this.options.tiers.anonymous;
  }

  admit(request: AdmissionRequest): Ticket | Promise<Ticket> {
    const { key, model } = request;
    const limits = this.limitsOf(key);
    const modelRpm = this.options.modelLimits ? model.limits[Math.min(key.tier, 3)] : 0;
    if (!model.paid && !limits.rpm && !limits.tpm && !limits.rpd && !limits.maxConcurrency && !(modelRpm > 0) && key.credits === null) return NO_TICKET;
    return this.gate(request, limits, modelRpm).catch(async (error: unknown) => {
      // A stranger's refused requests leave no rows: the ledger must not be a way to fill the disk.
      if (error instanceof ApiError && !request.key.anonymous) await this.options.onRefused(request, error);
      throw error;
    });
  }

  /** The key's own limits over its tier's; cached for as long as the key store keeps the record. */
  private limitsOf(key: ApiKey): LimitValues {
    let limits = this.effective.get(key);
    if (!limits) {
      const tier = key.anonymous ? this.options.tiers.anonymous : (this.options.tiers.tiers[Math.min(key.tier, 3)] ?? this.options.tiers.anonymous);
      limits = { rpm: key.rpm ?? tier.rpm, tpm: key.tpm ?? tier.tpm, rpd: key.rpd ?? tier.rpd, maxConcurrency: key.maxConcurrency ?? tier.maxConcurrency };
      this.effective.set(key, limits);
    }
    return limits;
  }

  private async gate(request: AdmissionRequest, limits: LimitValues, modelRpm: number): Promise<Ticket> {
    const { key, model } = request;
    if (model.paid && key.anonymous) {
      throw new ApiError('model_not_allowed', `The model \`${model.id}\` is paid and cannot be used with the public key.`, { param: 'model' });
    }
    const now = Date.now();
    const windows: Window[] = [];
    let tokens: number | undefined;
    let tpmKey: string | undefined;
    if (limits.rpm) windows.push({ key: `rpm:${key.id}`, limit: limits.rpm, amount: 1, windowMs: MINUTE, label: 'requests per minute (RPM)' });
    if (modelRpm > 0) windows.push({ key: `mrpm:${key.id}:${model.id}`, limit: modelRpm, amount: 1, windowMs: MINUTE, label: `requests per minute (RPM) for ${model.id} at tier ${key.tier}` });
    if (limits.tpm) {
      tokens = Math.max(1, request.estimateTokens());
      tpmKey = `tpm:${key.id}`;
      windows.push({ key: tpmKey, limit: limits.tpm, amount: tokens, windowMs: MINUTE, label: 'tokens per minute (TPM)' });
    }
    if (limits.rpd) {
      const day = Math.floor(now / DAY);
      windows.push({ key: `rpd:${key.id}:${day}`, limit: limits.rpd, amount: 1, windowMs: (day + 1) * DAY - now, label: 'requests per day (RPD)' });
    }
    const slot = limits.maxConcurrency ? { key: `conc:${key.id}`, limit: limits.maxConcurrency } : undefined;
    const { store } = this.options;
    let held = slot?.key;
    if (windows.length > 0 || slot) {
      const taken = await this.take(windows, slot);
      if (taken === undefined) {
        // Failed open: nothing was counted, so nothing is given back.
        windows.length = 0;
        tpmKey = undefined;
        held = undefined;
      } else if (!taken.ok) throw rateLimited({ key, window: taken.failed === -1 ? undefined : windows[taken.failed], limits, retryAfterMs: taken.retryAfterMs });
    }
    let reservation: Reservation | undefined;
    let answerCap: number | undefined;
    let toolCallCap: number | undefined;
    if (key.credits !== null) {
      const undoLimits = () => store.giveBack({ adjust: windows.map((w) => ({ key: w.key, amount: -w.amount })), release: held });
      try {
        ({ reservation, answerCap, toolCallCap } = await this.reserveCredits(key, model, request.worstCase()));
      } catch (error) {
        await undoLimits();
        throw error;
      }
    }
    return new LimitTicket(this.options, tpmKey === undefined ? undefined : { key: tpmKey, estimated: tokens! }, held, reservation, answerCap, toolCallCap);
  }

  /** Takes from the store; undefined when it is unreachable and the operator chose to fail open (logged once per outage). */
  private async take(windows: Window[], slot: { key: string; limit: number } | undefined): Promise<TakeResult | undefined> {
    try {
      const taken = await this.options.store.take({ windows, concurrency: slot });
      if (this.storeDown) {
        this.storeDown = false;
        this.options.log.info({ code: 'limits_restored' }, 'the rate-limit store answers again: limits are enforced');
      }
      return taken;
    } catch (error) {
      if (!this.options.failOpen || !(error instanceof ApiError) || error.code !== 'limits_unavailable') throw error;
      if (!this.storeDown) {
        this.storeDown = true;
        this.options.log.warn({ code: 'limits_fail_open', err: error.cause }, 'the rate-limit store (Redis) is unreachable: serving without its limits until it answers again (OPENSQ_LIMITS_FAIL_OPEN)');
      }
      return undefined;
    }
  }

  /**
   * Reserves the request's worst case: its prompt, media, every answer at full length and its
   * built-in tool calls (at the dearest such call), at the model's prices. A balance too small for
   * that is not refused while it still affords the prompt, a short answer and one tool call (for a
   * request with built-in tools): the reservation takes what there is, the tool calls are capped to
   * what it leaves beside a short answer, and the answer to the rest, so the real cost never exceeds
   * what was reserved.
   */
  private async reserveCredits(key: ApiKey, model: Model, worst: WorstCase): Promise<{ reservation: Reservation; answerCap: number | undefined; toolCallCap: number | undefined }> {
    const { cost } = model;
    // A prompt written to the provider's cache may cost more than plain input: reserve at the dearer price.
    const fixed = (worst.promptTokens * Math.max(cost.input, cost.cache_write ?? 0)) / 1_000_000 + worst.images * (cost.per_image ?? 0) + (worst.characters / 1000) * (cost.per_1k_chars ?? 0);
    const perAnswerToken = (worst.choices * cost.output) / 1_000_000;
    const answer = Math.min(worst.answerTokens ?? model.maxOutputTokens, model.maxOutputTokens);
    const perToolCall = worst.builtinTools ? dearestToolCall(cost) : 0;
    const calls = perToolCall > 0 ? (worst.builtinTools!.maxCalls ?? UNASKED_TOOL_CALLS) : 0;
    const shortAnswer = Math.min(answer, MIN_ANSWER) * perAnswerToken;
    const reservation = await this.options.credits.reserve({
      keyId: key.id,
      wanted: fixed + answer * perAnswerToken + calls * perToolCall,
      least: fixed + shortAnswer + Math.min(calls, 1) * perToolCall,
      expiresAt: Date.now() + model.timeouts.totalMs + RESERVATION_GRACE_MS,
    });
    if (reservation === undefined) {
      throw new ApiError('insufficient_quota', 'You exceeded your current quota: this key has not enough credit left for this request. Ask the operator to add credits.');
    }
    const reserved = reservation.amount;
    // Every priced request with built-in tools is sent a limit: without one, nothing bounds its calls.
    const toolCallCap = perToolCall > 0 ? Math.min(calls, Math.floor((reserved - fixed - shortAnswer) / perToolCall + 1e-9)) : undefined;
    if (perAnswerToken === 0) return { reservation, answerCap: undefined, toolCallCap };
    const affordable = Math.floor((reserved - fixed - (toolCallCap ?? 0) * perToolCall) / perAnswerToken + 1e-9);
    // A cap only where the balance, not the request or the model, is what limits the answer.
    return { reservation, answerCap: affordable < answer ? Math.max(1, affordable) : undefined, toolCallCap };
  }
}

interface Refusal {
  key: ApiKey;
  /** The window that is full; undefined when the concurrency slot was refused. */
  window: Window | undefined;
  limits: LimitValues;
  retryAfterMs: number;
}

/** The 429 for a limit reached, in OpenAI's words, with when to try again. */
function rateLimited({ key, window, limits, retryAfterMs }: Refusal): ApiError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const what = window
    ? window.amount > window.limit
      ? `Request too large for ${window.label}: Limit ${window.limit}, Requested ${window.amount}.`
      : `Rate limit reached for ${window.label}: Limit ${window.limit}.`
    : `Too many concurrent requests: Limit ${limits.maxConcurrency}.`;
  return new ApiError('rate_limit_exceeded', `${what} Key ${key.id}. Please try again in ${seconds}s.`, { retryAfter: String(seconds) });
}

/** Settles once: reconciles tokens per minute, frees the slot, corrects the credit reservation. */
class LimitTicket implements Ticket {
  private settled = false;

  constructor(
    private readonly options: LimitAdmissionOptions,
    /** The tokens-per-minute window and what was counted in it at admission. */
    private readonly tpm: { key: string; estimated: number } | undefined,
    private readonly slot: string | undefined,
    /** Credit taken at admission; undefined for a key without a balance. */
    private readonly reservation: Reservation | undefined,
    readonly answerCap: number | undefined,
    readonly toolCallCap: number | undefined,
  ) {}

  settle(settlement: Settlement): void | Promise<void> {
    if (this.settled) return;
    this.settled = true;
    const pending: Array<void | Promise<void>> = [];
    // Joins the batch of the request's usage row, so the debit commits with it.
    const held = this.reservation;
    if (held && (held.id !== undefined || settlement.cost !== 0)) {
      pending.push(this.options.ledger.settleCredits({ keyId: held.keyId, reservationId: held.id, reserved: held.amount, cost: settlement.cost }));
    }
    const adjust: Array<{ key: string; amount: number }> = [];
    if (this.tpm) {
      const delta = settlement.promptTokens + settlement.completionTokens - this.tpm.estimated;
      if (delta !== 0) adjust.push({ key: this.tpm.key, amount: delta });
    }
    if (adjust.length > 0 || this.slot !== undefined) pending.push(this.options.store.giveBack({ adjust, release: this.slot }));
    if (pending.length === 0) return;
    return Promise.all(pending).then(() => undefined);
  }
}
