import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiKey } from '../auth/key-store.js';
import { ApiError } from '../core/errors.js';
import type { Model } from '../routing/catalog.js';
import type { CreditAccounts } from './credit-accounts.js';
import type { UsageLedger } from '../usage/ledger.js';
import type { AdmissionRequest } from './admission.js';
import { LimitAdmission } from './limit-admission.js';
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
