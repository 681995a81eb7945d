import type { FastifyBaseLogger } from 'fastify';
import type { Core, Site } from '../../core/index.js';
import { type JwtVerifier, jwtVerifier } from './auth.js';
import { auth0Provider } from './providers/auth0.js';
import { gigyaProvider } from './providers/gigya.js';
import { httpJsonProvider } from './providers/http-json.js';
import type { UserProvider } from './providers/provider.js';
import { type CircuitBreaker, DEFAULT_RESILIENCE, type ResilienceOptions, resilient } from './providers/resilience.js';
import { type NavigaSettings, openSettings } from './settings.js';
import { type EventCodes, eventCodes, type WriteCodes, writeCodes } from './write-codes.js';

export interface ClientConfig {
  verify: JwtVerifier;
  /** The valid provider of Flow.UserProvider, or null: local store only (orchestration case 1). */
  provider: (UserProvider & { breaker: CircuitBreaker }) | null;
  /** Message codes of the write side, with the client's overrides. */
  codes: WriteCodes;
  /** Event codes of the write side, with the client's overrides. */
  events: EventCodes;
}

function buildProvider(settings: NavigaSettings, resilience: Omit<ResilienceOptions, 'timeoutMs'>): ClientConfig['provider'] {
  const options = { ...resilience, timeoutMs: settings.providerTimeoutMs ?? 3000 };
  switch (settings.userProvider) {
    case 'Auth0':
      return settings.auth0 ? resilient(auth0Provider(settings.auth0), options) : null;
    case 'Gigya':
      return settings.gigya ? resilient(gigyaProvider(settings.gigya), options) : null;
    case 'SSOR':
      return settings.ssor ? resilient(httpJsonProvider('SSOR', settings.ssor), options) : null;
    case 'Firefly':
      return settings.firefly ? resilient(httpJsonProvider('Firefly', settings.firefly), options) : null;
    default:
      return null;
  }
}

/**
 * Each client's verifier and provider, built from its site's settings (secrets opened through
 * the core) and kept per process until the site changes: a cache, so that the Auth0 token,
 * the JWKS and the circuit breaker state live as long as the configuration does.
 */
export function clientConfigs(core: Core, log: FastifyBaseLogger, resilience = DEFAULT_RESILIENCE) {
  const cache = new Map<string, { version: number; config: ClientConfig }>();
  return {
    for(site: Site): ClientConfig {
      const key = `${site.tenantId}:${site.id}`;
      const hit = cache.get(key);
      if (hit && hit.version === site.updatedAt.getTime()) return hit.config;
      const opened = openSettings(site.settings.naviga, { open: (path, sealed) => core.sites.openSetting(site, path, sealed) });
      let config: ClientConfig;
      if ('problem' in opened) {
        // Unusable settings refuse every token rather than run half-configured.
        log.warn({ tenantId: site.tenantId, siteId: site.id, problem: opened.problem }, 'naviga settings unusable');
        config = { verify: jwtVerifier(undefined), provider: null, codes: writeCodes(undefined), events: eventCodes(undefined) };
      } else {
        const { codes } = opened.settings;
        config = {
          verify: jwtVerifier(opened.settings.jwt),
          provider: buildProvider(opened.settings, resilience),
          codes: writeCodes(codes),
          events: eventCodes(codes),
        };
      }
      cache.set(key, { version: site.updatedAt.getTime(), config });
      return config;
    },
  };
}

export type ClientConfigs = ReturnType<typeof clientConfigs>;
