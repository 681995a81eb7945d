import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { type Core, keyAllows } from '../../core/index.js';
import type { ApplicationKey } from '../../core/types.js';
import { isSecureRequest } from '../shared/transport.js';

export class AdminAuthError extends Error {
  constructor(
    readonly statusCode: 401 | 403,
    message: string,
  ) {
    super(message);
  }
}

/** The permission an import job needs: the same as Gigya's importLiteAccount, or "*". */
export const IMPORT_PERMISSION = 'accounts.importLiteAccount';

function equalSecrets(given: string, stored: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(stored, 'utf8');
  // Compare equal-length buffers so the time does not tell the length either.
  const same = timingSafeEqual(a.length === b.length ? a : b, b);
  return same && a.length === b.length;
}

/**
 * An application key's userKey and secret, as HTTP Basic credentials (a streamed upload has
 * no form fields to carry Gigya's userKey/secret parameters). Only over a secure connection.
 */
export async function authenticateAdmin(core: Core, request: FastifyRequest): Promise<ApplicationKey> {
  if (!isSecureRequest(request)) throw new AdminAuthError(403, 'A secure connection (HTTPS) is required');
  const header = request.headers.authorization ?? '';
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header);
  const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon < 1) throw new AdminAuthError(401, 'Application key credentials (HTTP Basic userKey:secret) are required');
  const found = await core.keys.findActive(decoded.slice(0, colon));
  if (!found || !equalSecrets(decoded.slice(colon + 1), found.secret)) throw new AdminAuthError(401, 'Invalid userKey or secret');
  if (!keyAllows(found.key, IMPORT_PERMISSION)) throw new AdminAuthError(403, `The key lacks the ${IMPORT_PERMISSION} permission`);
  return found.key;
}
