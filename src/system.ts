import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock, Ids } from './core/ports.js';
import type { AccountUid } from './core/types.js';

export const systemClock: Clock = { now: () => new Date() };

export const cryptoIds: Ids = {
  uid: () => randomUUID().replaceAll('-', '') as AccountUid,
  uuid: () => randomUUID(),
  token: (bytes) => randomBytes(bytes).toString('base64url'),
};
