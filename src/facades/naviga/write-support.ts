import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { AccountUid, DomainEvent } from '../../core/index.js';
import { NavigaError } from './errors.js';
import type { NavigaCall } from './request.js';
import { ErrorEnvelope } from './wire.js';
import type { EventCodeName, WriteCodeName } from './write-codes.js';

/** The longest customerRegistrationId a write route takes. */
export const MAX_ID = 128;

/** E400_00 "Invalid InputModel - <why>" (the FIRM form), in the client's code. */
export function invalid(call: NavigaCall, why: string): NavigaError {
  const base = call.client.codes.invalidInput;
  return new NavigaError(400, base.code, `${base.text} - ${why}`, [{ field: '', message: why }]);
}

/** A write's error in the client's code and text. */
export const failure = (call: NavigaCall, name: WriteCodeName, status = 400) =>
  new NavigaError(status, call.client.codes[name].code, call.client.codes[name].text);

/** A write's success envelope in the client's code and text. */
export const success = (call: NavigaCall, name: WriteCodeName, data: unknown) => ({
  message: { code: call.client.codes[name].code, text: call.client.codes[name].text, type: 'Success' as const },
  data,
  meta: null,
});

const Success = (data: Type.TSchema) =>
  Type.Object({ message: Type.Object({ code: Type.String(), text: Type.String(), type: Type.Literal('Success') }), data, meta: Type.Null() });
export const writeResponses = (data: Type.TSchema) => ({ 200: Success(data), 400: ErrorEnvelope, 401: ErrorEnvelope, 500: ErrorEnvelope });
export const Body = Type.Object({}, { additionalProperties: true });
export const CridParams = Type.Object({ customerRegistrationId: Type.String({ maxLength: MAX_ID }) });

/** The request body read by lower-cased name: ASP.NET binds `Email` and `email` alike (spec B). */
export function bodyOf(call: NavigaCall, request: FastifyRequest) {
  const body = request.body;
  const fields = new Map<string, unknown>();
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    for (const [name, value] of Object.entries(body)) if (!fields.has(name.toLowerCase())) fields.set(name.toLowerCase(), value);
  }
  return {
    text(name: string, max = 1024): string | undefined {
      const value = fields.get(name.toLowerCase());
      if (value === undefined || value === null) return undefined;
      if (typeof value !== 'string' || value.length > max) throw invalid(call, `${name} must be a string of at most ${max} characters`);
      return value;
    },
    flag(name: string): boolean | undefined {
      const value = fields.get(name.toLowerCase());
      if (value === undefined || value === null) return undefined;
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return /^true$/i.test(value);
      throw invalid(call, `${name} must be true or false`);
    },
  };
}

/** The customerRegistrationId of the path. */
export function cridOf(call: NavigaCall, request: FastifyRequest): AccountUid {
  const { customerRegistrationId } = request.params as { customerRegistrationId: string };
  if (customerRegistrationId.length > MAX_ID) throw invalid(call, `customerRegistrationId must be at most ${MAX_ID} characters`);
  return customerRegistrationId as AccountUid;
}

/**
 * The call with Naviga's event codes for the state changes it records (spec A.7): `rule` names
 * the codes of each core event, and the core writes them beside it in the same transaction.
 * Provider codes (AUTHSYSTEM_*) carry the provider's name.
 */
export function withEvents(call: NavigaCall, rule: (event: DomainEvent) => readonly EventCodeName[]): NavigaCall {
  const { events, provider } = call.client;
  return {
    ...call,
    ctx: {
      ...call.ctx,
      vendorEvents: (event) =>
        rule(event).map((name) => ({
          eventCode: events[name].code,
          eventId: events[name].id,
          ...(name.startsWith('provider') && provider && { provider: provider.name }),
        })),
    },
  };
}

/** The codes of one local write: the provider's first when it was written too (it was written first), then Subscribe's. */
export const eventCodes = (atProviderToo: boolean, local: EventCodeName, atProvider: EventCodeName): EventCodeName[] =>
  atProviderToo ? [atProvider, local] : [local];
