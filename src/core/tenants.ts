import type { CoreDeps } from './deps.js';
import { DomainError, required } from './errors.js';
import type { Tenant, TenantId } from './types.js';

const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export function createTenants(deps: CoreDeps) {
  const { store, clock, ids } = deps;

  async function findByRef(ref: string): Promise<Tenant | undefined> {
    return (await store.tenants.findById(ref as TenantId)) ?? (await store.tenants.findByName(ref));
  }

  return {
    async create(input: { name: string; id?: string }): Promise<Tenant> {
      if (!NAME.test(input.name)) {
        throw new DomainError('request.invalid_field', 'Tenant name must be 1-63 lowercase letters, digits, - or _', [
          { field: 'name', message: 'invalid tenant name' },
        ]);
      }
      if (await store.tenants.findByName(input.name)) throw new DomainError('tenant.name_taken', `Tenant ${input.name} already exists`);
      const tenant: Tenant = { id: (input.id ?? ids.uuid()) as TenantId, name: input.name, createdAt: clock.now() };
      await store.tenants.insert(tenant);
      return tenant;
    },

    /** The tenant with this name, created if it does not exist yet. */
    async ensure(input: { name: string; id?: string }): Promise<{ tenant: Tenant; created: boolean }> {
      const existing = await store.tenants.findByName(input.name);
      if (existing) return { tenant: existing, created: false };
      return { tenant: await this.create(input), created: true };
    },

    /** Finds a tenant by id or by name. */
    async resolve(ref: string): Promise<Tenant> {
      return required(await findByRef(ref), 'tenant.not_found', `No tenant ${ref}`);
    },

    list: () => store.tenants.list(),
  };
}

export type Tenants = ReturnType<typeof createTenants>;
