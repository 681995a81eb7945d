import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import type { CallContext, ChannelStatusValue, Core, JsonObject, MemberChange, MemberKey } from '../../../core/index.js';
import { isDomainError } from '../../../core/index.js';
import { caller } from '../auth.js';
import type { Club } from '../club-settings.js';
import { failure, hasErrors, type ValidationErrors } from '../errors.js';
import { asJson, checkConsents, checkIdentifiers, checkSchema, memberSchemaOf, profileOf, requireAnIdentifier } from '../member-input.js';
import { normalizeMsisdn } from '../msisdn.js';
import { PERMITS } from '../permits.js';
import { commonResponses, ErrorBody, SlugParams } from '../schemas.js';
import { formatTime } from '../wire.js';

const MAX_MEMBERS = 1000;

const ImportedMember = Type.Object({
  properties: Type.Record(Type.String(), Type.Unknown()),
  password: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  sms_enabled: Type.Optional(Type.Boolean()),
  email_enabled: Type.Optional(Type.Boolean()),
  push_enabled: Type.Optional(Type.Boolean()),
  optin_channel: Type.Optional(Type.String({ maxLength: 100 })),
  optin_subchannel: Type.Optional(Type.String({ maxLength: 100 })),
  consents: Type.Optional(Type.Record(Type.String(), Type.Object({ status: Type.Boolean() }, { additionalProperties: true }))),
});
type ImportedMember = Static<typeof ImportedMember>;

const ImportBody = Type.Object({
  import_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  request_number: Type.Optional(Type.Integer()),
  operation: Type.Optional(Type.String({ default: 'create' })),
  member_identifier_type: Type.Optional(Type.String({ default: 'id' })),
  members: Type.Optional(Type.Array(ImportedMember)),
});
type ImportBody = Static<typeof ImportBody>;

const Bulk = Type.Object({
  id: Type.Integer(),
  request_number: Type.Union([Type.Integer(), Type.Null()]),
  status: Type.String(),
  members_in_payload_number: Type.Integer(),
  members_created_number: Type.Integer(),
  members_updated_number: Type.Integer(),
  members_with_validation_errors_number: Type.Integer(),
});
type Bulk = Static<typeof Bulk>;

const ImportStatus = Type.Object({
  members_in_payloads_number: Type.Integer(),
  members_created_number: Type.Integer(),
  members_updated_number: Type.Integer(),
  members_with_validation_errors_number: Type.Integer(),
  created_at: Type.String(),
  bulks: Type.Array(Type.Object({ id: Type.Integer(), request_number: Type.Union([Type.Integer(), Type.Null()]), status: Type.String() })),
});

interface ImportState {
  bulks: Bulk[];
}

const stateOf = (state: JsonObject | undefined): ImportState => ({ bulks: ((state?.['bulks'] as unknown as Bulk[] | undefined) ?? []).map((b) => ({ ...b })) });

/** The payload-level checks of spec B.9.20, each a 422 `{"error": symbol}`. */
function checkPayload(club: Club, body: ImportBody): { operation: 'create' | 'update'; identifierType: 'id' | 'email' | 'msisdn'; members: ImportedMember[] } {
  const operation = body.operation ?? 'create';
  if (operation !== 'create' && operation !== 'update') throw failure(422, 'invalid_operation');
  const identifierType = body.member_identifier_type ?? 'id';
  if (identifierType !== 'id' && identifierType !== 'email' && identifierType !== 'msisdn') throw failure(422, 'invalid_member_identifier_type');
  const members = body.members ?? [];
  if (members.length === 0) throw failure(422, 'members_empty');
  if (members.length > MAX_MEMBERS) throw failure(422, 'members_size_incorrect');
  const emails = new Set<string>();
  const msisdns = new Set<string>();
  for (const member of members) {
    const email = member.properties['email'];
    if (typeof email === 'string' && email !== '') {
      const normalized = email.trim().toLowerCase();
      if (emails.has(normalized)) throw failure(422, 'duplicated_emails');
      emails.add(normalized);
    }
    const raw = member.properties['msisdn'];
    const msisdn = typeof raw === 'string' || typeof raw === 'number' ? (normalizeMsisdn(String(raw), club.defaultCountry) ?? String(raw)) : undefined;
    if (msisdn) {
      if (msisdns.has(msisdn)) throw failure(422, 'duplicated_msisdns');
      msisdns.add(msisdn);
    }
    if (operation === 'update') {
      const key = identifierType === 'id' ? member.properties['id'] : member.properties[identifierType];
      if (key === undefined || key === null || key === '') throw failure(422, 'missing_identifier');
    }
  }
  return { operation, identifierType, members };
}

const status = (enabled: boolean | undefined, fallback: ChannelStatusValue): ChannelStatusValue =>
  enabled === undefined ? fallback : enabled ? 'enabled' : 'disabled';

/** One member of a payload: created or updated, or counted as a validation error. */
async function importOne(
  core: Core,
  club: Club,
  ctx: CallContext,
  importId: string,
  operation: 'create' | 'update',
  identifierType: 'id' | 'email' | 'msisdn',
  member: ImportedMember,
): Promise<'created' | 'updated' | 'invalid'> {
  const schema = memberSchemaOf(club);
  const properties = asJson({ ...member.properties });
  const lookup = operation === 'update' ? properties[identifierType === 'id' ? 'id' : identifierType] : undefined;
  if (identifierType === 'id') delete properties['id'];
  const errors: ValidationErrors = {};
  const identifiers = checkIdentifiers(club, properties, errors);
  checkConsents(schema, member.consents, errors);
  const consents = Object.entries(member.consents ?? {}).map(([consentId, c]) => ({ consentId, isGranted: c.status }));
  try {
    if (operation === 'create') {
      requireAnIdentifier(schema, identifiers, errors);
      checkSchema(schema, properties, 'full', errors);
      if (hasErrors(errors)) return 'invalid';
      const language = properties['language'];
      await core.members.create(ctx, {
        email: identifiers.email ?? null,
        msisdn: identifiers.msisdn ?? null,
        properties: profileOf(properties),
        language: typeof language === 'string' && language !== '' ? language : schema.defaultLanguage,
        consents,
        channels: { sms: status(member.sms_enabled, 'enabled'), email: status(member.email_enabled, 'enabled'), push: status(member.push_enabled, 'enabled') },
        password: member.password ?? null,
        // spec B.9.20: optin_channel defaults to "import", optin_subchannel to the import id.
        optinChannel: member.optin_channel ?? 'import',
        optinSubchannel: member.optin_subchannel ?? importId,
        favoriteStores: [],
        externalIds: [],
        welcome: { sms: false, email: false },
      });
      return 'created';
    }
    checkSchema(schema, properties, 'sent', errors);
    if (hasErrors(errors)) return 'invalid';
    const key: MemberKey | undefined =
      identifierType === 'id'
        ? { kind: 'id', value: Number(lookup) }
        : identifierType === 'email'
          ? { kind: 'email', value: String(lookup) }
          : { kind: 'msisdn', value: normalizeMsisdn(String(lookup), club.defaultCountry) ?? String(lookup) };
    const current = await core.members.find(ctx, key);
    if (!current) return 'invalid';
    const change: MemberChange = { properties: profileOf(properties), consents, channels: {} };
    if (identifierType !== 'email' && identifiers.email !== undefined) change.email = identifiers.email;
    if (identifierType !== 'msisdn' && identifiers.msisdn !== undefined) change.msisdn = identifiers.msisdn;
    if (typeof properties['language'] === 'string') change.language = properties['language'];
    if (member.password) change.password = member.password;
    for (const channel of ['sms', 'email', 'push'] as const) {
      const enabled = member[`${channel}_enabled`];
      if (enabled !== undefined && change.channels) change.channels[channel] = enabled ? 'enabled' : 'disabled';
    }
    await core.members.update(ctx, current.uid, change);
    return 'updated';
  } catch (error) {
    if (isDomainError(error, 'account.identifier_taken') || isDomainError(error, 'request.invalid_field')) return 'invalid';
    throw error;
  }
}

const renderStatus = (state: ImportState, createdAt: Date, timeZone: string) => {
  const sum = (key: keyof Bulk) => state.bulks.reduce((total, bulk) => total + Number(bulk[key] ?? 0), 0);
  return {
    members_in_payloads_number: sum('members_in_payload_number'),
    members_created_number: sum('members_created_number'),
    members_updated_number: sum('members_updated_number'),
    members_with_validation_errors_number: sum('members_with_validation_errors_number'),
    created_at: formatTime(createdAt, timeZone),
    bulks: state.bulks.map((b) => ({ id: b.id, request_number: b.request_number, status: b.status })),
  };
};

/** Async member imports (spec B.9.20): payloads of ≤ 1000 members under one import id. */
export function importRoutes(app: FastifyInstance, core: Core): void {
  app.post(
    '/v3/:loyalty_club_slug/members/imports',
    {
      config: { permits: [PERMITS.importsCreate] },
      schema: {
        summary: 'Import members (one payload of an import)',
        description: 'Runs the payload as one bulk and answers its import_id; poll the import for counts. See docs/boostcom.md.',
        tags: ['imports'],
        params: SlugParams,
        body: ImportBody,
        response: { 201: Type.Object({ import_id: Type.String() }), 422: ErrorBody, ...commonResponses },
      },
    },
    async (request, reply) => {
      const { club, ctx } = caller(request);
      const body = request.body as ImportBody;
      const { operation, identifierType, members } = checkPayload(club, body);
      const importId = body.import_id ?? randomUUID();
      let bulkId = 0;
      await core.memberImports.record(ctx, importId, (previous) => {
        const state = stateOf(previous);
        bulkId = state.bulks.length + 1;
        state.bulks.push({
          id: bulkId,
          request_number: body.request_number ?? null,
          status: 'working',
          members_in_payload_number: members.length,
          members_created_number: 0,
          members_updated_number: 0,
          members_with_validation_errors_number: 0,
        });
        return state as unknown as JsonObject;
      });
      const counts = { created: 0, updated: 0, invalid: 0 };
      let failed = false;
      try {
        for (const member of members) counts[await importOne(core, club, ctx, importId, operation, identifierType, member)]++;
      } catch (error) {
        failed = true;
        request.log.error({ err: error, importId }, 'member import bulk failed');
      }
      await core.memberImports.record(ctx, importId, (previous) => {
        const state = stateOf(previous);
        const bulk = state.bulks.find((b) => b.id === bulkId);
        if (bulk) {
          bulk.status = failed ? 'failed' : 'finished';
          bulk.members_created_number = counts.created;
          bulk.members_updated_number = counts.updated;
          bulk.members_with_validation_errors_number = counts.invalid;
        }
        return state as unknown as JsonObject;
      });
      reply.code(201);
      return { import_id: importId };
    },
  );

  app.get(
    '/v3/:loyalty_club_slug/members/imports/:import_id',
    {
      config: { permits: [PERMITS.importsGet] },
      schema: {
        summary: 'Status of an import',
        tags: ['imports'],
        params: Type.Object({ loyalty_club_slug: Type.String(), import_id: Type.String({ maxLength: 100 }) }),
        response: { 200: ImportStatus, 404: ErrorBody, ...commonResponses },
      },
    },
    async (request) => {
      const { club, ctx } = caller(request);
      const record = await core.memberImports.find(ctx, (request.params as { import_id: string }).import_id);
      if (!record) throw failure(404, 'Import not found');
      return renderStatus(stateOf(record.state), record.createdAt, club.timeZone);
    },
  );

  for (const [path, pick] of [
    ['bulks/:bulk_id', (bulk: Bulk, params: Record<string, string>) => String(bulk.id) === params['bulk_id']],
    ['bulks/by_request_number/:request_number', (bulk: Bulk, params: Record<string, string>) => String(bulk.request_number) === params['request_number']],
  ] as const) {
    app.get(
      `/v3/:loyalty_club_slug/members/imports/:import_id/${path}`,
      {
        config: { permits: [PERMITS.importsGet] },
        schema: { summary: `Bulk of an import (${path})`, tags: ['imports'], response: { 200: Bulk, 404: ErrorBody, ...commonResponses } },
      },
      async (request) => {
        const { ctx } = caller(request);
        const params = request.params as Record<string, string>;
        const record = await core.memberImports.find(ctx, params['import_id'] ?? '');
        const bulk = record && stateOf(record.state).bulks.find((b) => pick(b, params));
        if (!bulk) throw failure(404, 'Bulk not found');
        return bulk;
      },
    );
  }
}
