/** Tables not distributed by tenant (Citus reference tables, docs/scaling.md): every other table is distributed on tenant_id. */
export const REFERENCE_TABLES = new Set([
  'tenants', // the distribution key's own table
  // Configuration found by a wire credential before the tenant is known (apiKey, club slug,
  // Naviga codes, userKey): globally unique by nature, small, read through a cache.
  'sites',
  'application_keys',
  // The console's operators span tenants (an owner sees all): their accounts, sessions and the
  // audit log of what they did are operator-level, not any one tenant's data.
  'admin_users',
  'admin_sessions',
  'admin_audit',
]);
