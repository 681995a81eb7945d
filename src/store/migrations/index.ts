import type { Migration } from 'kysely';
import * as m0001 from './0001_core_schema.js';
import * as m0100 from './0100_gigya_request_guards.js';
import * as m0110 from './0110_gigya_search_cursors.js';
import * as m0111 from './0111_gigya_tokens.js';
import * as m0200 from './0200_boostcom_members.js';
import * as m0400 from './0400_events_delivery.js';
import * as m0410 from './0410_outbox_fanout_per_statement.js';
import * as m0420 from './0420_doi_confirmation_site.js';
import * as m0430 from './0430_retention_indexes.js';
import * as m0500 from './0500_bulk_import_jobs.js';
import * as m0600 from './0600_admin_console.js';
import * as m0700 from './0700_credentials.js';
import * as m0750 from './0750_door_sessions.js';
import * as m0760 from './0760_verification_codes.js';
import * as m0790 from './0790_verification_code_budget.js';

/** Every migration, in order. Static so the order is visible in review; never edit a merged one. */
export const migrations: Record<string, Migration> = {
  '0001_core_schema': m0001,
  '0100_gigya_request_guards': m0100,
  '0110_gigya_search_cursors': m0110,
  '0111_gigya_tokens': m0111,
  '0200_boostcom_members': m0200,
  '0400_events_delivery': m0400,
  '0410_outbox_fanout_per_statement': m0410,
  '0420_doi_confirmation_site': m0420,
  '0430_retention_indexes': m0430,
  '0500_bulk_import_jobs': m0500,
  '0600_admin_console': m0600,
  '0700_credentials': m0700,
  '0750_door_sessions': m0750,
  '0760_verification_codes': m0760,
  '0790_verification_code_budget': m0790,
};
