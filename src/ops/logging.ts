import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { type LoggerOptions, stdSerializers } from 'pino';

/** Parameter names whose values never reach a log line, wherever they appear. */
const SECRET_PARAMS =
  /^(secret|password|newpassword|sig|signature|token|access_token|oauth_token|id_token|client_secret|registration_password|regtoken|encryptedeventid)$/i;

/**
 * Parameters that hold personal data: their values are replaced by a short hash, so log lines of
 * one person can still be found together without the log holding who they are. JSON-valued
 * parameters (profile, data, subscriptions…) carry personal data as a whole.
 */
const PERSONAL_PARAMS =
  /^(email|emails|loginid|login_id|username|phone|phonenumber|phone_number|msisdn|mobile|firstname|first_name|lastname|last_name|name|address|zip|birth|birthdate|birthday|profile|data|subscriptions|preferences|consents|query|identifier|emailtoken|channeltoken|emailaccounttoken|external_id)$/i;

/**
 * Email addresses anywhere in a path or value (also %40-encoded). No part may hold an `@` and every
 * part is bounded, so a hostile URL cannot make the scan slow.
 */
const EMAIL = /[^\s/?&=:;,'"()<>[\]{}@]{1,64}(?:@|%40)[^\s/?&=:;,'"()<>[\]{}@%.]{1,63}(?:\.[^\s/?&=:;,'"()<>[\]{}@%.]{1,63}){1,8}/gi;

/**
 * A short, stable stand-in for a personal value: the first 10 hex digits of its SHA-256 (of the
 * trimmed, lower-cased text). The same value gives the same stand-in in every process, so a person's
 * calls can be followed through the logs; 40 bits do not tell who they are.
 */
export function personalHash(value: string): string {
  return `[h:${createHash('sha256').update(value.trim().toLowerCase()).digest('hex').slice(0, 10)}]`;
}

/** Email addresses in free text replaced by their hash. */
export function redactEmails(text: string): string {
  if (!text.includes('@') && !/%40/i.test(text)) return text;
  return text.replace(EMAIL, (email) => personalHash(decodeURIComponentSafe(email)));
}

/**
 * The URL as logs may show it: secret query values masked (Gigya clients put `secret` in query
 * strings), personal values (emails, names, profile JSON…) and email addresses in the path (Naviga
 * and Boostcom address people by email) replaced by a short hash.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  const path = redactEmails(q === -1 ? url : url.slice(0, q));
  if (q === -1) return path;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq === -1) return redactEmails(pair);
      const name = decodeURIComponentSafe(pair.slice(0, eq));
      const value = pair.slice(eq + 1);
      if (SECRET_PARAMS.test(name)) return `${pair.slice(0, eq)}=[REDACTED]`;
      if (PERSONAL_PARAMS.test(name) && value !== '') return `${pair.slice(0, eq)}=${personalHash(decodeURIComponentSafe(value.replace(/\+/g, ' ')))}`;
      return `${pair.slice(0, eq)}=${redactEmails(value)}`;
    });
  return `${path}?${params.join('&')}`;
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
