import type { FastifyRequest } from 'fastify';
import type { LoggerOptions } from 'pino';

/** Parameter names whose values never reach a log line, wherever they appear. */
const SECRET_PARAMS = /^(secret|password|newpassword|sig|signature|token|access_token|oauth_token|id_token|client_secret|registration_password|regtoken)$/i;

/** The URL with secret query values masked: Gigya clients put `secret` in query strings. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = decodeURIComponentSafe(eq === -1 ? pair : pair.slice(0, eq));
      return eq !== -1 && SECRET_PARAMS.test(name) ? `${pair.slice(0, eq)}=[REDACTED]` : pair;
    });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["x-client-authorization"]',
        'req.headers.cookie',
        '*.secret',
        '*.password',
        '*.sig',
        '*.token',
        '*.registration_password',
        '*.external_token',
      ],
      censor: '[REDACTED]',
    },
    serializers: {
      req(request: FastifyRequest) {
        return { method: request.method, url: redactUrl(request.url), remoteAddress: request.ip, userAgent: request.headers['user-agent'] };
      },
    },
  };
}
