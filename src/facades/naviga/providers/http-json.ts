import type { Static } from 'typebox';
import type { HttpProviderSettings, UserProviderName } from '../settings.js';
import { asRecord, asString, exchange, ProviderFailure, type UserProvider } from './provider.js';

function at(value: unknown, path: string): unknown {
  if (path === '') return value;
  let node = value;
  for (const part of path.split('.')) {
    if (Array.isArray(node) && /^\d+$/.test(part)) node = node[Number(part)];
    else node = asRecord(node)?.[part];
  }
  return node;
}

/**
 * A configurable HTTP JSON provider for the providers whose APIs are not public (SSOR, Firefly):
 * GET the URL template with the email, configured headers, and read the identity fields at the
 * configured paths. 404, an empty answer or an empty array mean "no such user".
 */
export function httpJsonProvider(name: Extract<UserProviderName, 'SSOR' | 'Firefly'>, settings: Static<typeof HttpProviderSettings>): UserProvider {
  return {
    name,
    async findByEmail(email, signal) {
      const url = settings.urlTemplate.replaceAll('{email}', encodeURIComponent(email));
      const { status, body } = await exchange(url, { headers: { accept: 'application/json', ...settings.headers } }, signal);
      if (status === 404) return null;
      if (status !== 200) throw new ProviderFailure(`${name} answered ${status}`, false);
      let user = at(body, settings.resultPath ?? '');
      if (Array.isArray(user)) user = user[0];
      if (user === undefined || user === null) return null;
      if (!asRecord(user)) throw new ProviderFailure(`${name}: the user at "${settings.resultPath ?? ''}" is not an object`, false);
      const verified = settings.fields.verified ? at(user, settings.fields.verified) : undefined;
      return {
        subject: settings.fields.id ? asString(at(user, settings.fields.id)) : null,
        email: asString(at(user, settings.fields.email)) ?? email,
        firstName: settings.fields.firstName ? asString(at(user, settings.fields.firstName)) : null,
        lastName: settings.fields.lastName ? asString(at(user, settings.fields.lastName)) : null,
        // A provider that says nothing about verification holds verified users (it authenticates them).
        verified: verified === undefined ? true : verified === true || verified === 'true' || verified === 1,
      };
    },
  };
}
