import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import type { GigyaConfig } from '../../config.js';
import type { CallContext, Core } from '../../core/index.js';
import { isDomainError } from '../../core/index.js';
import { authorize, enforceRateLimit } from './auth.js';
import { guardParams, invalidInput as invalidParameterValue, jsonBodyProblem } from './edge-guard.js';
import { envelope, isValidCallback, newCallId, type ResponseControl, serialize, statusCodeFor } from './envelope.js';
import { fromDomainError, GigyaError, gigyaErrors } from './errors.js';
import type { GigyaMethod } from './method.js';
import { getAccountInfo } from './methods/get-account-info.js';
import { importFullAccount } from './methods/import-full-account.js';
import { importLiteAccount } from './methods/import-lite-account.js';
import { getJWT, getJWTPublicKey } from './methods/jwt.js';
import { deleteAccount, deleteLiteAccount, getLiteToken, resendDOIConfirmationEmail } from './methods/lite-accounts.js';
import { getIDs, login, logout, verifyLogin } from './methods/login.js';
import { resendVerificationCode, resetPassword } from './methods/password.js';
import { finalizeRegistration, initRegistration, isAvailableLoginID, register } from './methods/registration.js';
import { getSchema, setSchema } from './methods/schema-methods.js';
import { search } from './methods/search.js';
import { setAccountInfo } from './methods/set-account-info.js';
import { unsubscribe } from './methods/unsubscribe.js';
import { deleteWebhook, getAllWebhooks, setWebhook } from './methods/webhooks.js';
import { createGigyaMetrics } from './metrics.js';
import { booleanValue, ignoredParams, mergeParams, type Params } from './params.js';
import { registerVerifyEmailLink } from './verify-email-link.js';

export interface GigyaFacadeOptions {
  core: Core;
  config: GigyaConfig;
  registry: Registry;
}

/** Every method this facade serves, by its wire name. */
const METHODS: ReadonlyMap<string, GigyaMethod> = new Map(
  [
    importLiteAccount,
    unsubscribe,
    getAccountInfo,
    setAccountInfo,
    getSchema,
    setSchema,
    search,
    getLiteToken,
    deleteAccount,
    deleteLiteAccount,
    resendDOIConfirmationEmail,
    setWebhook,
    getAllWebhooks,
    deleteWebhook,
    initRegistration,
    register,
    finalizeRegistration,
    isAvailableLoginID,
    login,
    logout,
    verifyLogin,
    getIDs,
    getJWT,
    getJWTPublicKey,
    resetPassword,
    resendVerificationCode,
    importFullAccount,
  ].map((m) => [m.name, m]),
);

const METHOD_NAME = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/;

interface Rendering {
  control: ResponseControl;
  /** The jsonp callback once it has been checked; undefined for json. */
  callback: string | undefined;
  httpStatusCodes: boolean;
}

/** Response control read straight from the raw parameters, so even an early failure answers in the asked form. */
function rendering(params: Params, callId: string): { rendering: Rendering; problem?: GigyaError } {
  const out: Rendering = { control: { callId, context: params.context, ignoredParams: [] }, callback: undefined, httpStatusCodes: false };
  const statusCodes = params.httpStatusCodes === undefined || params.httpStatusCodes === '' ? false : booleanValue(params.httpStatusCodes);
  out.httpStatusCodes = statusCodes ?? false;
  if (statusCodes === undefined) return { rendering: out, problem: gigyaErrors.invalidParameter('httpStatusCodes', 'expected true or false') };
  const format = (params.format ?? 'json').toLowerCase();
  if (format === 'jsonp') {
    const callback = params.callback;
    // A callback that is not a plain identifier path is refused and never echoed (XSS through jsonp).
    if (!callback) return { rendering: out, problem: gigyaErrors.missingParameter('callback') };
    if (!isValidCallback(callback)) return { rendering: out, problem: gigyaErrors.invalidParameter('callback', 'must be a JavaScript identifier path') };
    out.callback = callback;
  } else if (format !== 'json' && format !== '') {
    return { rendering: out, problem: gigyaErrors.invalidParameter('format', 'expected json or jsonp') };
  }
  return { rendering: out };
}

function send(reply: FastifyReply, how: Rendering, error: GigyaError | undefined, data: Record<string, unknown>): FastifyReply {
  const now = new Date();
  const body = envelope(how.control, error, data, now);
  const { payload, contentType } = serialize(body, how.callback);
  // SDKs correct their clock from Date (gigya-wire §2.3): stamp it when the answer is made.
  reply.header('date', now.toUTCString());
  reply.header('content-type', contentType);
  reply.header('cache-control', 'no-store');
  reply.header('x-content-type-options', 'nosniff');
  reply.code(how.httpStatusCodes ? statusCodeFor(error?.errorCode ?? 0) : 200);
  return reply.send(payload);
}

/**
 * One log line per call with the answer's errorCode and statusCode: Gigya answers errors with HTTP
 * 200 unless httpStatusCodes=true, so the access log alone shows every failure as a success.
 * Client errors log at info, server errors at error; no parameter values are logged (the URL in
 * the request log is redacted, src/ops/logging.ts).
 */
function logCall(request: FastifyRequest, method: string, how: Rendering, error: GigyaError | undefined): void {
  const errorCode = error?.errorCode ?? 0;
  const statusCode = statusCodeFor(errorCode);
  const entry = { gigya: { method, callId: how.control.callId, errorCode, statusCode, httpStatus: how.httpStatusCodes ? statusCode : 200 } };
  if (statusCode >= 500) request.log.error(entry, 'gigya call');
  else request.log.info(entry, 'gigya call');
}

function toGigyaError(request: FastifyRequest, error: unknown, callId: string): GigyaError {
  if (error instanceof GigyaError) return error;
  if (isDomainError(error)) return fromDomainError(error);
  const code = (error as { code?: string } | null)?.code;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return gigyaErrors.requestTooLarge('The request body is larger than the server accepts');
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') {
    return gigyaErrors.invalidRequestFormat('The request body could not be read');
  }
  // Anything else is ours: the callId ties the log line to the caller's report; no stack on the wire.
  request.log.error({ err: error, callId }, 'gigya call failed');
  return gigyaErrors.generalServerError();
}

function parseForm(body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body));
}

/**
 * The Gigya-compatible API: POST and GET `/<namespace>.<method>`, host ignored. One pipeline
 * for every method: parameters, response control, apiKey and credentials, transport, rate limit,
 * then the method; every outcome, failures included, in Gigya's envelope.
 */
export async function gigyaFacade(app: FastifyInstance, options: GigyaFacadeOptions): Promise<void> {
  const { core, config } = options;
  const metrics = createGigyaMetrics(options.registry);

  // Bodies are form-urlencoded (no charset) from every SDK, or JSON; anything else is read as a form.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      const value: unknown = body === '' ? {} : JSON.parse(body as string);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
      // Object values become JSON parameters when flattened (JSON.stringify recurses): the guard sees them first.
      const problem = jsonBodyProblem(value);
      if (problem) return done(invalidParameterValue(problem), undefined);
      done(null, value);
    } catch {
      done(gigyaErrors.invalidRequestFormat('The JSON body is not a JSON object'), undefined);
    }
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, parseForm(body as string)));

  app.setErrorHandler((error, request, reply) => {
    const callId = newCallId();
    const query = (request.query ?? {}) as Record<string, unknown>;
    let params: Params = {};
    try {
      params = mergeParams(query, {});
    } catch {
      // the query itself is the problem: answer in plain json
    }
    const how = rendering(params, callId).rendering;
    const failure = toGigyaError(request, error, callId);
    const methodName = (request.params as { method?: string } | undefined)?.method;
    logCall(request, methodName && METHODS.has(methodName) ? methodName : 'unknown', how, failure);
    return send(reply, how, failure, {});
  });

  const handler = async (request: FastifyRequest<{ Params: { method: string } }>, reply: FastifyReply) => {
    const methodName = request.params.method;
    if (!METHOD_NAME.test(methodName)) return reply.callNotFound();
    const callId = newCallId();
    let how: Rendering = { control: { callId, context: undefined, ignoredParams: [] }, callback: undefined, httpStatusCodes: false };
    let failure: GigyaError | undefined;
    let data: Record<string, unknown> = {};
    try {
      const params = mergeParams(request.query, request.body);
      const read = rendering(params, callId);
      how = read.rendering;
      if (read.problem) throw read.problem;
      guardParams(params);
      const method = METHODS.get(methodName);
      if (!method) throw gigyaErrors.permissionDenied(methodName);
      how.control.ignoredParams = ignoredParams(params, method.params);
      const caller = await authorize({ core, config }, request, params, method);
      await enforceRateLimit({ core, config }, caller);
      const ctx: CallContext = {
        tenantId: caller.site.tenantId,
        siteId: caller.site.id,
        origin: {
          facade: 'gigya',
          ...(caller.key && { keyId: caller.key.id }),
          ip: request.ip,
          ...(typeof request.headers['user-agent'] === 'string' && { userAgent: request.headers['user-agent'].slice(0, 256) }),
        },
      };
      data = await method.run({ params, caller, ctx, core, request, metrics });
    } catch (error) {
      failure = toGigyaError(request, error, callId);
    }
    const known = METHODS.has(methodName) ? methodName : 'unknown';
    metrics.calls.inc({ method: known, error_code: String(failure?.errorCode ?? 0) });
    logCall(request, known, how, failure);
    return send(reply, how, failure, data);
  };

  registerVerifyEmailLink(app, core);
  app.get('/:method', handler);
  app.post('/:method', handler);
}
