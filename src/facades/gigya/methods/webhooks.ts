import type { Webhook } from '../../../core/webhooks.js';
import { gigyaErrors } from '../errors.js';
import type { GigyaMethod } from '../method.js';
import { booleanParam, requiredParam, stringListParam } from '../params.js';

/**
 * accounts.webhooks.set / getAll / delete (specs/webhooks.md): a tenant's Gigya-format webhooks,
 * over the same core service as `roster apply`. Deliveries are signed as SAP CDC signs them: with
 * the secret of the application key named by `signingUserKey` (default: the caller's key), or with
 * the site secret when a partner secret made the call. Parameter names beyond name/url/events are
 * not published (GAP, docs/gigya.md).
 */
const admin = { requiresHttps: false, refusesPartnerSecret: false, allowsAnonymous: () => false } as const;

function wire(webhook: Webhook) {
  return {
    name: webhook.name,
    url: webhook.url,
    events: webhook.eventTypes,
    active: webhook.enabled,
    ...(webhook.signingUserKey && { signingUserKey: webhook.signingUserKey }),
    created: webhook.createdAt.toISOString(),
    lastModified: webhook.updatedAt.toISOString(),
  };
}

export const setWebhook: GigyaMethod = {
  name: 'accounts.webhooks.set',
  ...admin,
  params: new Set(['name', 'url', 'events', 'active', 'signingUserKey']),
  async run({ params, caller, core }) {
    const name = requiredParam(params, 'name');
    const url = requiredParam(params, 'url');
    const events = stringListParam(params, 'events');
    if (!events || events.length === 0) throw gigyaErrors.missingParameter('events');
    const signingUserKey = params.signingUserKey || caller.key?.userKey;
    const secret = signingUserKey ? undefined : await core.sites.gigyaSecret(caller.site);
    if (!signingUserKey && !secret) throw gigyaErrors.invalidParameter('signingUserKey', 'no key or site secret to sign deliveries with');
    const { webhook } = await core.webhooks.set(caller.site.tenantId, {
      name,
      url,
      eventTypes: events,
      format: 'gigya',
      ...(signingUserKey ? { signingUserKey } : { secret: secret ?? null }),
      enabled: booleanParam(params, 'active', true),
    });
    return { webhook: wire(webhook) };
  },
};

export const getAllWebhooks: GigyaMethod = {
  name: 'accounts.webhooks.getAll',
  ...admin,
  params: new Set([]),
  async run({ caller, core }) {
    const webhooks = (await core.webhooks.list(caller.site.tenantId)).filter((w) => w.format === 'gigya');
    return { webhooks: webhooks.map(wire) };
  },
};

export const deleteWebhook: GigyaMethod = {
  name: 'accounts.webhooks.delete',
  ...admin,
  params: new Set(['name']),
  async run({ params, caller, core }) {
    await core.webhooks.delete(caller.site.tenantId, requiredParam(params, 'name'));
    return {};
  },
};
