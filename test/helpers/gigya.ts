import { generateKeyPairSync } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Core } from '../../src/core/index.js';
import type { ApplicationKey, CallContext, Site, Tenant } from '../../src/core/types.js';
import { baseString, calcSignature } from '../../src/facades/gigya/signature.js';
import { newTenant } from './store.js';

export interface GigyaFixture {
  tenant: Tenant;
  site: Site;
  ctx: CallContext;
  apiKey: string;
  siteSecret: string;
  key: ApplicationKey;
  userKey: string;
  secret: string;
  privateKey: string;
}

const keyPair = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const testPrivateKey = keyPair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
export const testPublicKey = keyPair.publicKey.export({ type: 'spki', format: 'pem' }).toString();

let counter = 0;
/** A tenant with a Gigya site (partner secret set) and an application key with a secret and an RSA public key. */
export async function gigyaFixture(core: Core, options: { permissions?: string[]; settings?: Site['settings'] } = {}): Promise<GigyaFixture> {
  const { tenant, site: plain, ctx } = await newTenant(core, 'gigya');
  const siteSecret = Buffer.from(`site-secret-${counter++}-${Date.now()}`).toString('base64');
  const { site } = await core.sites.ensure(tenant.id, { name: plain.name, gigyaSecret: siteSecret, ...(options.settings && { settings: options.settings }) });
  const { key, secret } = await core.keys.create(tenant.id, { label: 'test', permissions: options.permissions ?? ['*'], publicKey: testPublicKey });
  return { tenant, site, ctx, apiKey: site.gigyaApiKey as string, siteSecret, key, userKey: key.userKey, secret, privateKey: testPrivateKey };
}

export function form(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

/** Signs params as the official SDKs do, over `url` (default: the us1 data-center URL of the method). */
export function sign(
  method: string,
  params: Record<string, string>,
  secret: string,
  options: { url?: string; httpMethod?: string } = {},
): Record<string, string> {
  const namespace = method.slice(0, method.indexOf('.'));
  const url = options.url ?? `https://${namespace}.us1.gigya.com/${method}`;
  const withStamp = { timestamp: String(Math.floor(Date.now() / 1000)), nonce: `${Date.now()}_${Math.random()}`, ...params };
  return { ...withStamp, sig: calcSignature(baseString(options.httpMethod ?? 'POST', url, withStamp), secret) };
}

export interface GigyaReply {
  status: number;
  headers: Record<string, unknown>;
  raw: string;
  body: Record<string, unknown> & { errorCode: number; errorMessage?: string; errorDetails?: string; statusCode: number; callId: string };
}

export async function call(
  app: FastifyInstance,
  method: string,
  params: Record<string, string>,
  options: { headers?: Record<string, string>; query?: Record<string, string>; httpMethod?: 'GET' | 'POST' } = {},
): Promise<GigyaReply> {
  const httpMethod = options.httpMethod ?? 'POST';
  const query = httpMethod === 'GET' ? { ...params, ...options.query } : (options.query ?? {});
  const qs = new URLSearchParams(query).toString();
  const response = await app.inject({
    method: httpMethod,
    url: `/${method}${qs ? `?${qs}` : ''}`,
    headers: { ...(httpMethod === 'POST' && { 'content-type': 'application/x-www-form-urlencoded' }), ...options.headers },
    ...(httpMethod === 'POST' && { payload: form(params) }),
  });
  const raw = response.body;
  let body: GigyaReply['body'];
  try {
    body = JSON.parse(raw);
  } catch {
    body = { errorCode: -1, statusCode: -1, callId: '' };
  }
  return { status: response.statusCode, headers: response.headers, raw, body };
}
