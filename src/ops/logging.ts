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
/** What a database error may say in a log: where and what kind, never the row (`detail`, `where` and the message can quote values). */
const DATABASE_ERROR_FIELDS = ['code', 'severity', 'constraint', 'column', 'table', 'schema', 'dataType', 'routine'] as const;

function isDatabaseError(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && SQLSTATE.test(code);
}

/** One error of a cause chain: a database error reduced to its SQLSTATE, constraint and column. */
function describeError(error: Error): Record<string, unknown> {
  if (!isDatabaseError(error)) return { type: error.name, message: error.message, stack: error.stack };
  const fields = error as unknown as Record<string, unknown>;
  const kept: Record<string, unknown> = { type: error.name, message: `database error ${fields.code}` };
  for (const field of DATABASE_ERROR_FIELDS) if (fields[field] !== undefined) kept[field] = fields[field];
  // The first stack line repeats the message; the frames say where.
  if (error.stack) kept.stack = error.stack.split('\n').slice(1).join('\n');
  return kept;
}

/**
 * pino's standard error serializer, except where a database error is in the cause chain: then
 * each error of the chain is described on its own (iteratively, at most 10 deep), database
 * errors by SQLSTATE, constraint and column only.
 */
export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const chain: Error[] = [];
  for (let node: unknown = error; node instanceof Error && chain.length < 10; node = node.cause) chain.push(node);
  if (!chain.some(isDatabaseError)) return stdSerializers.err(error);
  let described: Record<string, unknown> | undefined;
  for (let i = chain.length - 1; i >= 0; i--) {
    const entry = describeError(chain[i] as Error);
    if (described) entry.cause = described;
    described = entry;
  }
  return described;
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
