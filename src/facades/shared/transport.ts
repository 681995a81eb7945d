import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  return plain === '::1' || (isIP(plain) === 4 && plain.startsWith('127.'));
}

/**
 * Whether a request reached Roster without crossing an untrusted network in clear text:
 * over TLS; through a trusted proxy that says X-Forwarded-Proto: https (Fastify believes the
 * header only from ROSTER_TRUSTED_PROXIES); or straight from loopback. A request relayed by a
 * proxy that says http is not secure even when the proxy itself is on loopback.
 */
export function isSecureRequest(request: FastifyRequest): boolean {
  if (request.protocol === 'https') return true;
  const forwarded = request.headers['x-forwarded-proto'] !== undefined || request.headers['x-forwarded-for'] !== undefined;
  const viaTrustedProxy = forwarded && request.ip !== request.socket.remoteAddress;
  if (viaTrustedProxy) return false;
  return isLoopback(request.socket.remoteAddress) && !forwarded;
}
