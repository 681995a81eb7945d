import { generatedPassword } from './cli/admin.js';
import type { Core } from './core/index.js';

/**
 * On the first start against an empty store: a demo tenant, site and application key, printed
 * with a call to paste, so a new user makes a real request at once. Nothing on later starts.
 */
export async function ensureDemo(core: Core): Promise<{ banner: (address: string) => string } | undefined> {
  if ((await core.tenants.list()).length > 0) return undefined;
  const tenant = await core.tenants.create({ name: 'demo' });
  const site = await core.sites.create(tenant.id, {
    name: 'demo',
    boostcomSlug: 'demo',
    naviga: { clientCode: 'DEMO', paperCode: 'DEMO', groupCode: 'DEMO' },
  });
  const { key, secret } = await core.keys.create(tenant.id, { label: 'demo', permissions: ['*'] });
  const apiKey = site.gigyaApiKey ?? '';
  // The console's first owner, so the operator can sign in at once (roster admin create makes more).
  const adminPassword = generatedPassword();
  const admin =
    (await core.adminIdentity.count()) === 0
      ? await core.adminIdentity.create({ email: 'admin@example.com', password: adminPassword, role: 'owner' })
      : undefined;
  return {
    banner: (address) =>
      [
        '',
        'Roster created a demo tenant on this empty store. These credentials are shown once:',
        `  tenant   ${tenant.name} (${tenant.id})`,
        `  apiKey   ${apiKey}`,
        `  userKey  ${key.userKey}`,
        '',
        'The secret, shown this once (keep it; Roster stores it encrypted and never prints it again):',
        `  export ROSTER_DEMO_SECRET='${secret}'`,
        ...(admin ? ['', `Admin console: ${address}/console`, `  email    ${admin.user.email}`, `  password ${adminPassword}`] : []),
        '',
        'Import a lite account through the Gigya-compatible API:',
        `  curl -s ${address}/accounts.importLiteAccount \\`,
        `    --data-urlencode apiKey=${apiKey} --data-urlencode userKey=${key.userKey} \\`,
        `    --data-urlencode "secret=$ROSTER_DEMO_SECRET" --data-urlencode email=ada@example.com \\`,
        `    --data-urlencode 'profile={"firstName":"Ada","lastName":"Lovelace"}'`,
        '',
      ].join('\n'),
  };
}
