import { type CoreDeps, recordEvent } from './deps.js';
import { required } from './errors.js';
import type { AccountUid, CallContext, Channel, ChannelStatusValue } from './types.js';

export function createChannels(deps: CoreDeps) {
  const { store, clock } = deps;
  return {
    /** Sets whether a channel may be used to reach the person (email, sms, push). */
    async set(ctx: CallContext, uid: AccountUid, channel: Channel, status: ChannelStatusValue): Promise<void> {
      await store.transaction(async (tx) => {
        const now = clock.now();
        required(await tx.accounts.lock(ctx.tenantId, uid), 'account.not_found', `Account ${uid} not found`);
        const previous = (await tx.channels.listForAccount(ctx.tenantId, uid))[channel] ?? null;
        if (previous === status) return;
        await tx.channels.upsert(ctx.tenantId, uid, { [channel]: status }, now);
        await recordEvent(tx, deps, ctx, { type: 'channel.changed', accountUid: uid, payload: { channel, status, previous } }, now);
      });
    },
  };
}

export type Channels = ReturnType<typeof createChannels>;
