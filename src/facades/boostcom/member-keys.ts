import type { FastifyRequest } from 'fastify';
import { isValidEmail } from '../../core/identifiers.js';
import type { Core, MemberKey, MemberView } from '../../core/index.js';
import { caller } from './auth.js';
import { failure } from './errors.js';
import { normalizeMsisdn } from './msisdn.js';

/** How a route names its member: by id, msisdn or email in the path (spec B.9.2). */
export type KeyKind = 'id' | 'msisdn' | 'email';

export function memberKey(request: FastifyRequest, kind: KeyKind): MemberKey | undefined {
  const params = request.params as { id?: string; msisdn?: string; email?: string };
  if (kind === 'id') {
    const id = Number(params.id);
    return Number.isSafeInteger(id) && id > 0 && /^\d+$/.test(params.id ?? '') ? { kind: 'id', value: id } : undefined;
  }
  if (kind === 'msisdn') {
    const msisdn = normalizeMsisdn(params.msisdn ?? '', caller(request).club.defaultCountry);
    if (!msisdn) throw failure(422, 'Invalid MSISDN param');
    return { kind: 'msisdn', value: msisdn };
  }
  const email = params.email ?? '';
  return isValidEmail(email) ? { kind: 'email', value: email } : undefined;
}

/** The member the path names, or 404 (spec B.9.2). */
export async function requireMember(core: Core, request: FastifyRequest, kind: KeyKind): Promise<MemberView> {
  const key = memberKey(request, kind);
  const member = key && (await core.members.find(caller(request).ctx, key));
  if (!member) throw failure(404, 'Member with given identifier could not found');
  return member;
}
