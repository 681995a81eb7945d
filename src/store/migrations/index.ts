import type { Migration } from 'kysely';
import * as m0001 from './0001_core_schema.js';
import * as m0200 from './0200_boostcom_members.js';

/** Every migration, in order. Static so the order is visible in review; never edit a merged one. */
export const migrations: Record<string, Migration> = {
  '0001_core_schema': m0001,
  '0200_boostcom_members': m0200,
};
