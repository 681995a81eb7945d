import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Core } from '../../src/core/index.js';
import type { Repos } from '../../src/core/ports.js';
import type { AccountUid, TenantId } from '../../src/core/types.js';
import type { OpenedStore } from '../../src/store/index.js';
import { newTenant, openTestStore, testCore } from '../helpers/store.js';

// The embedded store has one connection: two of its transactions never hold locks at once.
const skip = process.env.DATABASE_URL ? false : 'needs PostgreSQL: DATABASE_URL is not set';

describe('a deadlock victim runs again (postgres)', { skip }, () => {
  let store: OpenedStore;
  let core: Core;
  before(async () => {
    store = await openTestStore('postgres');
    core = testCore(store);
  });
  after(async () => store?.close());

  it('commits both of two transactions that lock two accounts in opposite orders', async () => {
    const { ctx } = await newTenant(core);
    const uidOf = async (email: string) => (await core.accounts.upsertLite(ctx, { email }, { via: 'import' })).account.uid;
    const [a, b] = [await uidOf('first@example.com'), await uidOf('second@example.com')];

    // Each first run takes its first lock and waits until the other holds its own: a certain cycle.
    let holding = 0;
    let bothHold: () => void = () => {};
    const cycle = new Promise<void>((resolve) => {
      bothHold = resolve;
    });
    let runs = 0;
    const crossing = (tenantId: TenantId, first: AccountUid, second: AccountUid) => {
      let attempt = 0;
      return async (tx: Repos) => {
        runs++;
        attempt++;
        await tx.accounts.lock(tenantId, first);
        if (attempt === 1) {
          if (++holding === 2) bothHold();
          await cycle;
        }
        await tx.accounts.lock(tenantId, second);
        return `${first} then ${second}`;
      };
    };
    const results = await Promise.all([store.transaction(crossing(ctx.tenantId, a, b)), store.transaction(crossing(ctx.tenantId, b, a))]);
    assert.deepEqual(results, [`${a} then ${b}`, `${b} then ${a}`]);
    assert.equal(runs, 3, 'PostgreSQL aborted one of them as the deadlock victim, and it ran again');
  });
});
