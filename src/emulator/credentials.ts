import type { ApplyFile, ApplyReport } from '../provisioning.js';

/** What a test needs to call each door of the fixture's first tenant. Null: the fixture does not open that door. */
export interface EmulatorCredentials {
  tenant: string;
  gigya: { apiKey: string; userKey: string; secret: string } | null;
  boostcom: { clubSlug: string; token: string } | null;
  naviga: { clientCode: string; paperCode: string; groupCode: string; jwtSecret: string | null } | null;
}

/**
 * The first tenant's credentials per facade: the first site with a Gigya API key and the first
 * application key with a secret, the first club and its first active client, the first Naviga
 * site. Secrets the fixture gives come from the fixture; generated ones from the apply report.
 */
export function credentialsOf(file: ApplyFile, report: ApplyReport): EmulatorCredentials {
  const spec = file.tenants[0];
  const tenant = spec?.name ?? '';
  const gigyaSite = report.sites.find((s) => s.tenant === tenant && s.apiKey);
  const key = report.keys
    .filter((k) => k.tenant === tenant)
    .map((k) => ({ userKey: k.userKey, secret: k.secret ?? spec?.keys?.find((given) => given.userKey === k.userKey)?.secret }))
    .find((k) => k.secret !== undefined);
  const club = spec?.sites?.find((s) => s.boostcom);
  const clientSpec = club?.boostcom?.clients?.find((c) => !c.revoked);
  const clientToken = clientSpec && (clientSpec.token ?? report.clubClients.find((c) => c.site === club?.name && c.name === clientSpec.name)?.token);
  const naviga = spec?.sites?.find((s) => s.naviga)?.naviga;
  return {
    tenant,
    gigya: gigyaSite?.apiKey && key?.secret ? { apiKey: gigyaSite.apiKey, userKey: key.userKey, secret: key.secret } : null,
    boostcom: club?.boostcom && clientToken ? { clubSlug: club.boostcom.slug, token: clientToken } : null,
    naviga: naviga ? { clientCode: naviga.clientCode, paperCode: naviga.paperCode, groupCode: naviga.groupCode, jwtSecret: naviga.jwt?.secret ?? null } : null,
  };
}
