import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { GigyaError, ValidationError } from './errors.js';
import type { IgnoredParam } from './params.js';

/**
 * 32 lowercase hex characters (gigya-wire §3). A call id is a trace id, not a secret: a v4 UUID
 * without its dashes comes from Node's cached entropy, where randomBytes(16) cost a system call
 * on every response (5 % of the server's busy time under getAccountInfo).
 */
export function newCallId(): string {
  return randomUUID().replaceAll('-', '');
}

/**
 * statusCode follows the error class: ⌊errorCode/1000⌋ for 4xx/5xx codes and for the 206xxx
 * pending states (206 "Partial Content", as a live fixture shows: full-accounts A.6 row 7), else 200.
 */
export function statusCodeFor(errorCode: number): number {
  const status = Math.floor(errorCode / 1000);
  return (status >= 400 && status < 600) || status === 206 ? status : 200;
}

export interface ResponseControl {
  callId: string;
  context: string | undefined;
  ignoredParams: IgnoredParam[];
}

/**
 * The envelope in the order the captured server wrote it (§3 jsonp sample): callId, context,
 * errorCode, errorDetails, errorMessage, apiVersion, statusCode, statusReason, time, then the
 * warnings and the method's own fields.
 */
export function envelope(control: ResponseControl, error: GigyaError | undefined, data: Record<string, unknown>, now: Date): Record<string, unknown> {
  const errorCode = error?.errorCode ?? 0;
  const statusCode = statusCodeFor(errorCode);
  const body: Record<string, unknown> = { callId: control.callId };
  if (control.context !== undefined) body.context = control.context;
  body.errorCode = errorCode;
  if (error) {
    if (error.errorDetails !== undefined) body.errorDetails = error.errorDetails;
    body.errorMessage = error.errorMessage;
  }
  body.apiVersion = 2;
  body.statusCode = statusCode;
  body.statusReason = STATUS_CODES[statusCode] ?? 'Unknown';
  body.time = now.toISOString();
  if (error && error.validationErrors.length > 0) body.validationErrors = error.validationErrors satisfies ValidationError[];
  if (control.ignoredParams.length > 0) body.ignoredParams = control.ignoredParams;
  return error ? { ...body, ...error.extra } : { ...body, ...data };
}

/** A JS identifier path (`cb`, `gigya.callback`, `$jsonp_1`); anything else is refused, never echoed. */
const CALLBACK = /^[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)*$/;
export const MAX_CALLBACK_LENGTH = 128;

export function isValidCallback(callback: string): boolean {
  return callback.length <= MAX_CALLBACK_LENGTH && CALLBACK.test(callback);
}

/** JSON text of the envelope; `callback(...)` around it for jsonp. A JSON body always starts with `{` (Java reads it only then, §3). */
export function serialize(body: Record<string, unknown>, callback: string | undefined): { payload: string; contentType: string } {
  const json = JSON.stringify(body);
  if (callback === undefined) return { payload: json, contentType: 'application/json; charset=utf-8' };
  return { payload: `${callback}(${json});`, contentType: 'application/javascript; charset=utf-8' };
}
