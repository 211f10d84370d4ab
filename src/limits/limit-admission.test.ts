import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiKey } from '../auth/key-store.js';
import { ApiError } from '../core/errors.js';
import type { Model } from '../routing/catalog.js';
import type { CreditAccounts, Reservation, ReserveRequest } from './credit-accounts.js';
import type { UsageLedger } from '../usage/ledger.js';
import type { AdmissionRequest } from './admission.js';
import { LimitAdmission, UNASKED_TOOL_CALLS } from './limit-admission.js';
import type { GiveBack, LimitStore, TakeRequest, TakeResult } from './limit-store.js';
import { NO_LIMITS } from './limit-values.js';

/** A store whose Redis can be switched off. */
class SwitchableStore implements LimitStore {
  down = false;
  readonly given: GiveBack[] = [];
  take(_request: TakeRequest): TakeResult {
    if (this.down) throw new ApiError('limits_unavailable', 'Rate limits cannot be checked right now; please retry shortly.', { retryAfter: '1' });
    return { ok: true };
  }
  giveBack(back: GiveBack): void {
    this.given.push(back);
  }
}

const key: ApiKey = { id: 'key_1', anonymous: false, userId: 1, name: 'k', tier: 0, allowedModels: null, rpm: 100, tpm: null, rpd: null, maxConcurrency: 4, credits: null, expiresAt: null };
const request: AdmissionRequest = {
  key,
  model: { id: 'm', paid: false, limits: [0, 0, 0, 0] } as unknown as Model,
  endpoint: 'chat.completions',
  estimateTokens: () => 10,
  worstCase: () => ({ promptTokens: 10, answerTokens: 10, choices: 1, images: 0, characters: 0 }),
};

function admission(failOpen: boolean) {
  const store = new SwitchableStore();
  const logged: string[] = [];
  const gate = new LimitAdmission({
    store,
    tiers: { tiers: [NO_LIMITS], anonymous: NO_LIMITS },
    modelLimits: false,
    credits: {} as CreditAccounts,
    ledger: {} as UsageLedger,
    onRefused: async () => undefined,
    failOpen,
    log: { warn: (obj: object) => void logged.push(`warn ${(obj as { code: string }).code}`), info: (obj: object) => void logged.push(`info ${(obj as { code: string }).code}`) } as never,
  });
  return { store, logged, gate };
}

describe('limit admission while the store is unreachable', () => {
  it('refuses with 503 limits_unavailable by default', async () => {
    const { store, gate } = admission(false);
    store.down = true;
    await assert.rejects(async () => gate.admit(request), (e: ApiError) => e.code === 'limits_unavailable' && e.status === 503 && e.retryAfter === '1');
  });

  it('fails open when asked: admits without counting, gives nothing back, and logs once per outage', async () => {
    const { store, logged, gate } = admission(true);
    store.down = true;
    for (let i = 0; i < 3; i++) await (await gate.admit(request)).settle({ promptTokens: 1, completionTokens: 1, cost: 0 });
    assert.deepEqual(store.given, [], 'a slot never taken is never freed');
    assert.deepEqual(logged, ['warn limits_fail_open']);
    store.down = false;
    await (await gate.admit(request)).settle({ promptTokens: 1, completionTokens: 1, cost: 0 });
    assert.deepEqual(store.given, [{ adjust: [], release: 'conc:key_1' }], 'counted again once it is back');
    store.down = true;
    await gate.admit(request);
    assert.deepEqual(logged, ['warn limits_fail_open', 'info limits_restored', 'warn limits_fail_open']);
  });
});

describe('credit reservations for built-in tool calls', () => {
  /** A balance of `balance` credits; reserve takes the full amount, or what there is down to the minimum. */
  function withBalance(balance: number) {
    const reserves: Array<[number, number]> = [];
    const credits = {
      reserve: async ({ keyId, wanted, least }: ReserveRequest): Promise<Reservation | undefined> => {
        reserves.push([wanted, least]);
        const amount = balance >= wanted ? wanted : balance >= least ? balance : undefined;
        return amount === undefined ? undefined : { id: 1, keyId, amount };
      },
    } as unknown as CreditAccounts;
    const gate = new LimitAdmission({
      store: new SwitchableStore(),
      tiers: { tiers: [NO_LIMITS], anonymous: NO_LIMITS },
      modelLimits: false,
      credits,
      ledger: {} as UsageLedger,
      onRefused: async () => undefined,
      failOpen: false,
      log: { warn: () => undefined, info: () => undefined } as never,
    });
    return { gate, reserves };
  }
  // 1 credit per million tokens in and 2 out; a web search costs 0.01.
  const model = { id: 'm', paid: false, limits: [0, 0, 0, 0], maxOutputTokens: 1000, timeouts: { totalMs: 600_000 }, cost: { input: 1, output: 2, tool_calls: { web_search: 0.01, file_search: 0.0025 } } } as unknown as Model;
  const tooled = (maxCalls: number | undefined): AdmissionRequest => ({
    key: { ...key, rpm: null, maxConcurrency: null, credits: 1 },
    model,
    endpoint: 'responses',
    estimateTokens: () => 10,
    worstCase: () => ({ promptTokens: 1000, answerTokens: 1000, choices: 1, images: 0, characters: 0, builtinTools: { maxCalls } }),
  });

  it('a balance that covers it all reserves every call asked for at the dearest price, and caps them at that', async () => {
    const { gate, reserves } = withBalance(10);
    const ticket = await gate.admit(tooled(5));
    assert.equal(ticket.toolCallCap, 5);
    assert.equal(ticket.answerCap, undefined);
    assert.ok(Math.abs(reserves[0]![0] - (0.001 + 0.002 + 5 * 0.01)) < 1e-12, String(reserves[0]));
  });

  it('a request that sets no max_tool_calls is reserved and capped at UNASKED_TOOL_CALLS', async () => {
    const { gate } = withBalance(10);
    assert.equal((await gate.admit(tooled(undefined))).toolCallCap, UNASKED_TOOL_CALLS);
  });

  it('a balance for the tokens and some calls: the calls are capped to what it leaves beside a short answer; the answer to the rest', async () => {
    const { gate } = withBalance(0.025);
    const ticket = await gate.admit(tooled(9));
    assert.equal(ticket.toolCallCap, 2);
    // 0.025 - 0.001 prompt - 0.02 calls leaves 0.004: 2000 answer tokens, more than the request's 1000.
    assert.equal(ticket.answerCap, undefined);
    const tight = await withBalance(0.0115).gate.admit(tooled(9));
    assert.equal(tight.toolCallCap, 1);
    assert.equal(tight.answerCap, 250);
  });

  it('a balance below the prompt, a short answer and one call is refused; a request without built-in tools is not reserved any', async () => {
    const { gate, reserves } = withBalance(0.005);
    await assert.rejects(async () => gate.admit(tooled(3)), (e: ApiError) => e.code === 'insufficient_quota');
    const plain = await gate.admit({ ...tooled(3), worstCase: () => ({ promptTokens: 1000, answerTokens: 1000, choices: 1, images: 0, characters: 0 }) });
    assert.equal(plain.toolCallCap, undefined);
    assert.ok(Math.abs(reserves[1]![0] - 0.003) < 1e-12, String(reserves[1]));
  });
});
