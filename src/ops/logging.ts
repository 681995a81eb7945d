import type { FastifyRequest } from 'fastify';
import { type LoggerOptions, stdSerializers } from 'pino';

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

/** SQLSTATE-shaped codes mark database errors (pg and PGlite alike). */
const SQLSTATE = /^[0-9A-Z]{5}$/;
/** What a database error may say in a log: where and what kind, never the row (`detail`, `where` and the message quote values). */
const DATABASE_ERROR_FIELDS = ['type', 'code', 'severity', 'constraint', 'column', 'table', 'schema', 'dataType', 'routine'] as const;

function redactDatabaseError(serialized: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = { message: `database error ${serialized.code}` };
  for (const field of DATABASE_ERROR_FIELDS) if (serialized[field] !== undefined) kept[field] = serialized[field];
  if (typeof serialized.stack === 'string') kept.stack = serialized.stack.split('\n').slice(1).join('\n');
  return kept;
}

/** The standard error serializer, with database errors (and database causes) reduced to their SQLSTATE, constraint and column. */
export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const serialized = stdSerializers.err(error) as unknown as Record<string, unknown>;
  const stack: Array<Record<string, unknown>> = [];
  let node: Record<string, unknown> | undefined = serialized;
  let parent: Record<string, unknown> | undefined;
  // Causes nest; walked iteratively and rebuilt bottom-up.
  while (node && typeof node === 'object') {
    stack.push(node);
    node = node.cause as Record<string, unknown> | undefined;
  }
  for (let i = stack.length - 1; i >= 0; i--) {
    let entry = stack[i] as Record<string, unknown>;
    if (typeof entry.code === 'string' && SQLSTATE.test(entry.code)) entry = redactDatabaseError(entry);
    if (parent) entry.cause = parent;
    parent = entry;
  }
  return parent;
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
      err: serializeError,
      req(request: FastifyRequest) {
        return { method: request.method, url: redactUrl(request.url), remoteAddress: request.ip, userAgent: request.headers['user-agent'] };
      },
    },
  };
}
