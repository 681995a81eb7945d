import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type DomainErrorCode, type FieldError, isDomainError } from '../../core/index.js';
import type { PropertyErrors } from './club-schema.js';

/** A Boostcom answer that is not a success: its status and body (spec B.2, B.7). */
export class BoostcomError extends Error {
  override readonly name = 'BoostcomError';
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`boostcom ${status}`);
  }
}

/** `{"error": "..."}`: what most handled errors carry (spec B.2). */
export const failure = (status: number, message: string) => new BoostcomError(status, { error: message });

/** The 422 body of member endpoints (spec B.7): identifier keys at the top, schema errors under `properties`. */
export interface ValidationErrors {
  [key: string]: unknown;
  properties?: Array<{ error: PropertyErrors }>;
}

export function hasErrors(errors: ValidationErrors): boolean {
  return Object.keys(errors).length > 0;
}

export function addPropertyErrors(errors: ValidationErrors, properties: PropertyErrors): void {
  if (Object.keys(properties).length === 0) return;
  const existing = errors.properties?.[0]?.error ?? {};
  for (const [key, list] of Object.entries(properties)) existing[key] = [...(existing[key] ?? []), ...list];
  errors.properties = [{ error: existing }];
}

const fieldErrors = (fields: FieldError[]) =>
  Object.fromEntries(fields.map((f) => [f.field, [{ property: f.field, error: f.message === 'is not a valid email address' ? 'invalid' : f.message }]]));

/** Every core error code in its Boostcom form; adding a code breaks the build until it is decided here. */
const DOMAIN_ERRORS = {
  'tenant.not_found': { status: 401, body: () => ({ error: 'Invalid X-Client-Authorization' }) },
  'tenant.name_taken': { status: 422, body: (e) => ({ error: e.message }) },
  'site.not_found': { status: 401, body: () => ({ error: 'Invalid X-Client-Authorization' }) },
  'site.credential_taken': { status: 422, body: (e) => ({ error: e.message }) },
  'key.not_found': { status: 401, body: () => ({ error: 'Invalid X-Client-Authorization' }) },
  'account.not_found': { status: 404, body: () => ({ error: 'Member with given identifier could not found' }) },
  'account.identifier_taken': { status: 422, body: (e) => fieldErrors(e.fields) },
  // Boostcom documents no conflict status; a lost race on one member is an invalid request (GAP).
  'account.concurrent_update': { status: 422, body: () => ({ error: 'Member was changed by another request, try again' }) },
  'subscription.not_found': { status: 404, body: (e) => ({ error: e.message }) },
  'member.verification_code_invalid': { status: 466, body: () => ({ error: 'registration_password param is invalid' }) },
  'request.invalid_field': { status: 422, body: (e) => fieldErrors(e.fields) },
  // Roster admin codes no member endpoint meets.
  'import.job_running': { status: 422, body: (e) => ({ error: e.message }) },
  'import.job_not_found': { status: 404, body: (e) => ({ error: e.message }) },
  'webhook.not_found': { status: 404, body: (e) => ({ error: e.message }) },
  'provisioning.entry_exists': { status: 422, body: (e) => ({ error: e.message }) },
} satisfies Record<DomainErrorCode, { status: number; body: (error: { message: string; fields: FieldError[] }) => unknown }>;

export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof BoostcomError) {
    // 406 answers with an empty body (spec B.1).
    if (error.body === null) reply.code(error.status).send();
    else reply.code(error.status).send(error.body);
    return;
  }
  if (isDomainError(error)) {
    const wire = DOMAIN_ERRORS[error.code];
    reply.code(wire.status).send(wire.body(error));
    return;
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    reply.code(422).send({ error: `Invalid parameters: ${fastifyError.message}` });
    return;
  }
  if (fastifyError.statusCode === 413) {
    reply.code(413).send({ error: 'Payload too large' });
    return;
  }
  request.log.error({ err: error }, 'boostcom request failed');
  reply.code(500).send({ error: 'Internal server error' });
}
