import type { CoreDeps } from './deps.js';
import { DomainError, required } from './errors.js';
import { KEY_SECRET_AAD } from './keys.js';
import type { StoredWebhook, WebhookFormat } from './ports.js';
import type { TenantId } from './types.js';

/** What a caller sets: the Gigya facade (accounts.webhooks.set), `roster apply` and the CLI. */
export interface WebhookSpec {
  /** Unique in the tenant; setting a name again updates that webhook. */
  name: string;
  url: string;
  eventTypes: string[];
  format: WebhookFormat;
  /**
   * The signing secret (Base64 for gigya, any string otherwise); kept sealed. Left out, an
   * existing webhook keeps its secret (a form or file need not repeat it), unless it now signs
   * with a key; null removes it.
   */
  secret?: string | null;
  /** Sign with this application key's secret (Gigya's model); the key must be in the tenant. */
  signingUserKey?: string | null;
  enabled?: boolean;
}

/** A webhook as shown to callers: never the secret. */
export type Webhook = Omit<StoredWebhook, 'secretEnc'> & { hasSecret: boolean };

const FORMATS: WebhookFormat[] = ['roster', 'gigya', 'boostcom-v2'];
const NAME = /^[A-Za-z0-9._-]{1,100}$/;
export const WEBHOOK_SECRET_AAD = (tenantId: TenantId, id: string) => `webhook-secret:${tenantId}:${id}`;

const invalid = (field: string, message: string) => new DomainError('request.invalid_field', `${field}: ${message}`, [{ field, message }]);

function show(w: StoredWebhook): Webhook {
  const { secretEnc, ...rest } = w;
  return { ...rest, hasSecret: secretEnc !== null };
}

export function createWebhooks(deps: CoreDeps) {
  const { store, clock, ids, secretBox } = deps;

  function validate(spec: WebhookSpec, keptSecret: boolean): void {
    if (!NAME.test(spec.name)) throw invalid('name', 'must be 1-100 letters, digits, . _ or -');
    let url: URL;
    try {
      url = new URL(spec.url);
    } catch {
      throw invalid('url', 'must be an absolute URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid('url', 'must be http or https');
    if (url.username || url.password) throw invalid('url', 'must not carry credentials');
    if (!FORMATS.includes(spec.format)) throw invalid('format', `must be one of ${FORMATS.join(', ')}`);
    if (spec.eventTypes.length === 0 || spec.eventTypes.length > 100 || spec.eventTypes.some((t) => !/^[A-Za-z0-9._*]{1,100}$/.test(t))) {
      throw invalid('eventTypes', 'must list 1-100 event types (or "*")');
    }
    if (spec.secret && spec.secret.length > 1024) throw invalid('secret', 'at most 1024 characters');
    if (!spec.secret && !keptSecret && !spec.signingUserKey) throw invalid('secret', 'a webhook needs a secret or a signing key');
  }

  return {
    /** Creates the webhook with this name or replaces its settings (idempotent). */
    async set(tenantId: TenantId, spec: WebhookSpec): Promise<{ webhook: Webhook; created: boolean }> {
      const existing = await store.webhooks.findByName(tenantId, spec.name);
      const kept = spec.secret === undefined && !spec.signingUserKey ? (existing?.secretEnc ?? null) : null;
      // A kept secret goes on signing for the same receiver only: a new URL needs it typed again.
      if (kept !== null && existing && existing.url !== spec.url) throw invalid('secret', 'enter the secret again when the address changes');
      validate(spec, kept !== null);
      if (spec.signingUserKey) {
        const key = await store.keys.findByUserKey(spec.signingUserKey);
        if (!key || key.key.tenantId !== tenantId || key.key.revokedAt) throw invalid('signingUserKey', 'no active key with this userKey in the tenant');
      }
      const now = clock.now();
      const id = existing?.id ?? ids.uuid();
      const webhook: StoredWebhook = {
        tenantId,
        id,
        name: spec.name,
        url: spec.url,
        eventTypes: [...new Set(spec.eventTypes)],
        format: spec.format,
        secretEnc: spec.secret ? secretBox.seal(spec.secret, WEBHOOK_SECRET_AAD(tenantId, id)) : kept,
        signingUserKey: spec.signingUserKey ?? null,
        enabled: spec.enabled ?? true,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      };
      await store.webhooks.upsert(webhook);
      return { webhook: show(webhook), created: !existing };
    },

    async list(tenantId: TenantId): Promise<Webhook[]> {
      return (await store.webhooks.list(tenantId)).map(show);
    },

    async get(tenantId: TenantId, name: string): Promise<Webhook> {
      return show(required(await store.webhooks.findByName(tenantId, name), 'webhook.not_found', `No webhook ${name}`));
    },

    async delete(tenantId: TenantId, name: string): Promise<void> {
      const existing = required(await store.webhooks.findByName(tenantId, name), 'webhook.not_found', `No webhook ${name}`);
      await store.webhooks.delete(tenantId, existing.id);
    },

    /** For the delivery worker: the webhook with its signing secret in clear, or undefined when gone or disabled. */
    async findForDelivery(tenantId: TenantId, id: string): Promise<{ webhook: Webhook; secret: string } | undefined> {
      const stored = await store.webhooks.findById(tenantId, id);
      if (!stored?.enabled) return undefined;
      let secret: string | undefined;
      if (stored.signingUserKey) {
        const key = await store.keys.findByUserKey(stored.signingUserKey);
        if (key && key.key.tenantId === tenantId && !key.key.revokedAt) secret = secretBox.open(key.secretEnc, KEY_SECRET_AAD(tenantId, key.key.id));
      } else if (stored.secretEnc) {
        secret = secretBox.open(stored.secretEnc, WEBHOOK_SECRET_AAD(tenantId, id));
      }
      if (secret === undefined) return undefined;
      return { webhook: show(stored), secret };
    },
  };
}

export type Webhooks = ReturnType<typeof createWebhooks>;
