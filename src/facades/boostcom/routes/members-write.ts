import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { Channel, ChannelStatusValue, Core, Identifier, JsonObject, MemberChange, MemberView } from '../../../core/index.js';
import { clientHolds, mergeJson } from '../../../core/index.js';
import { caller } from '../auth.js';
import { BoostcomError, failure, hasErrors, type ValidationErrors } from '../errors.js';
import { EXTERNAL_TOKEN_TYPES, type ExternalTokenType, verifyExternalToken } from '../external-token.js';
import {
  asJson,
  CreateMemberBody,
  checkConsents,
  checkIdentifiers,
  checkSchema,
  checkStores,
  memberSchemaOf,
  profileOf,
  requireAnIdentifier,
  UpdateMemberBody,
  ValidateMemberBody,
} from '../member-input.js';
import { requireMember } from '../member-keys.js';
import { PERMITS } from '../permits.js';
import { commonResponses, ErrorBody, IdParams, Member, SlugParams, ValidationErrorBody } from '../schemas.js';
import { renderMember } from '../wire.js';

const status = (enabled: boolean | null | undefined): ChannelStatusValue | undefined =>
  enabled === undefined || enabled === null ? undefined : enabled ? 'enabled' : 'disabled';
const consentChanges = (consents: Record<string, { status: boolean }> | null | undefined) =>
  Object.entries(consents ?? {}).map(([consentId, consent]) => ({ consentId, isGranted: consent.status }));

/** Create, update, destroy and validate (spec B.9.6–B.9.9). */
export function memberWriteRoutes(app: FastifyInstance, core: Core): void {
  app.post(
    '/v3/:loyalty_club_slug/members',
    {
      config: { permits: [PERMITS.membersCreate, PERMITS.membersCreateWithVerification] },
      schema: {
        summary: 'Create member',
        description: 'Creates a member of the loyalty club. 201 with the member (see docs/boostcom.md for the status choice).',
        tags: ['members'],
        params: SlugParams,
        body: CreateMemberBody,
        response: { 201: Member, 422: ValidationErrorBody, 465: ErrorBody, 466: ErrorBody, 468: ErrorBody, ...commonResponses },
      },
    },
    async (request, reply) => {
      const { club, client, ctx, productName, subproductName } = caller(request);
      const body = request.body as CreateMemberBody;
      const canSkipVerification = clientHolds(client, PERMITS.membersCreate);
      // ignore_required_properties needs BL:Api:Members:Create (spec B.9.6).
      if (body.ignore_required_properties && !canSkipVerification) throw failure(403, 'ignore_required_properties needs the BL:Api:Members:Create permit');

      const schema = memberSchemaOf(club);
      const properties = asJson(body.properties);
      const errors: ValidationErrors = {};
      const identifiers = checkIdentifiers(club, properties, errors);
      requireAnIdentifier(schema, identifiers, errors);
      checkSchema(schema, properties, body.ignore_required_properties ? 'none' : 'full', errors);
      checkConsents(schema, body.consents, errors);
      checkStores(club, body.favorite_stores, errors);
      if (hasErrors(errors)) throw new BoostcomError(422, errors);

      const externalIds: Identifier[] = [];
      if (body.external_token !== undefined || body.external_token_type !== undefined) {
        const type = body.external_token_type as ExternalTokenType;
        const provider = EXTERNAL_TOKEN_TYPES.includes(type) ? club.settings.external_tokens?.[type] : undefined;
        const subject = provider && body.external_token ? await verifyExternalToken(provider, body.external_token) : undefined;
        if (!subject) throw failure(468, 'external_token param is invalid');
        externalIds.push({ kind: `external:${type}`, value: subject });
      }
      if (club.settings.password_required && body.password === undefined && externalIds.length === 0) throw failure(465, 'password param is missing');

      // A registration password proves the msisdn (or the email when there is no msisdn): spec B.9.6, B.9.10.
      const verifyBy = identifiers.msisdn ? ('msisdn' as const) : ('email' as const);
      const verifyValue = identifiers.msisdn ?? identifiers.email;
      const mustVerify = club.settings.msisdn_verification === true || !canSkipVerification;
      let registrationPassword: Awaited<ReturnType<typeof core.members.checkRegistrationPassword>>;
      if (mustVerify || body.registration_password !== undefined) {
        if (body.registration_password === undefined || body.registration_password === '') throw failure(465, 'registration_password param is missing');
        registrationPassword = verifyValue ? await core.members.checkRegistrationPassword(ctx, verifyBy, verifyValue, body.registration_password) : undefined;
        if (!registrationPassword) throw failure(466, 'registration_password param is invalid');
      }

      const language = properties['language'];
      const member = await core.members.create(ctx, {
        email: identifiers.email ?? null,
        msisdn: identifiers.msisdn ?? null,
        properties: profileOf(properties),
        language: typeof language === 'string' && language !== '' ? language : schema.defaultLanguage,
        consents: consentChanges(body.consents),
        channels: {
          sms: status(body.sms_enabled ?? true) as ChannelStatusValue,
          email: status(body.email_enabled ?? true) as ChannelStatusValue,
          push: status(body.push_enabled ?? true) as ChannelStatusValue,
        },
        password: body.password ?? null,
        optinChannel: productName,
        optinSubchannel: subproductName,
        favoriteStores: body.favorite_stores ?? [],
        externalIds,
        welcome: { sms: body.send_sms_welcome_message ?? true, email: body.send_email_welcome_message ?? true },
        ...(registrationPassword && { registrationPassword }),
      });
      reply.code(201);
      return renderMember(member, club);
    },
  );

  app.put(
    '/v3/:loyalty_club_slug/members/:id',
    {
      config: { permits: [PERMITS.membersUpdate] },
      schema: {
        summary: 'Update member',
        description: 'Merges into the member: omitted keys stay, null deletes a property, consents merge per key.',
        tags: ['members'],
        params: IdParams,
        body: UpdateMemberBody,
        response: { 200: Member, 404: ErrorBody, 422: ValidationErrorBody, ...commonResponses },
      },
    },
    async (request) => updateMember(core, request, await requireMember(core, request, 'id')),
  );

  app.delete(
    '/v3/:loyalty_club_slug/members/:id',
    {
      config: { permits: [PERMITS.membersDestroy] },
      schema: {
        summary: 'Destroy member',
        description: 'Deletes the member for good and returns it. send_email_unsubscribe_message and send_unsubscribe_message are synonyms (default true).',
        tags: ['members'],
        params: IdParams,
        querystring: Type.Object({
          send_email_unsubscribe_message: Type.Optional(Type.Boolean()),
          send_unsubscribe_message: Type.Optional(Type.Boolean()),
        }),
        response: { 200: Member, 404: ErrorBody, ...commonResponses },
      },
    },
    async (request) => {
      const { club, ctx } = caller(request);
      const query = request.query as { send_email_unsubscribe_message?: boolean; send_unsubscribe_message?: boolean };
      const current = await requireMember(core, request, 'id');
      const send = query.send_email_unsubscribe_message ?? query.send_unsubscribe_message ?? true;
      return renderMember(await core.members.delete(ctx, current.uid, { sendUnsubscribeMessage: send }), club);
    },
  );

  app.post(
    '/v3/:loyalty_club_slug/members/validate',
    {
      config: { permits: [PERMITS.membersValidate] },
      schema: {
        summary: 'Validate member data',
        description: 'Always 200: {valid, errors}. Presence is checked only for the keys sent.',
        tags: ['members'],
        params: SlugParams,
        body: ValidateMemberBody,
        response: { 200: Type.Object({ valid: Type.Boolean(), errors: Type.Union([ValidationErrorBody, Type.Null()]) }), ...commonResponses },
      },
    },
    async (request) => {
      const { club, ctx } = caller(request);
      const body = request.body as ValidateMemberBody;
      const schema = memberSchemaOf(club);
      const properties = asJson(body.properties ?? {});
      const errors: ValidationErrors = {};
      const identifiers = checkIdentifiers(club, properties, errors);
      checkSchema(schema, properties, 'sent', errors);
      checkConsents(schema, body.consents, errors);
      for (const kind of ['email', 'msisdn'] as const) {
        const value = identifiers[kind];
        if (value && !errors[kind] && (await core.members.find(ctx, { kind, value }))) {
          errors[kind] = [{ property: kind, error: kind === 'email' ? 'duplicated_email_in_community' : 'duplicated_msisdn_in_community' }];
        }
      }
      if (body.registration_password !== undefined) {
        // Checked without being used up: the create that follows consumes it (spec B.9.9 example).
        const by = identifiers.msisdn ? ('msisdn' as const) : ('email' as const);
        const value = identifiers.msisdn ?? identifiers.email;
        const proof = value ? await core.members.checkRegistrationPassword(ctx, by, value, body.registration_password) : undefined;
        if (!proof) errors['registration_password'] = [{ error: 'invalid' }];
      }
      return hasErrors(errors) ? { valid: false, errors } : { valid: true, errors: null };
    },
  );
}

/** Properties minus email and msisdn: those are identifiers, checked and stored apart. */
function withoutIdentifiers(sent: JsonObject): JsonObject {
  const copy: JsonObject = { ...sent };
  delete copy['email'];
  delete copy['msisdn'];
  return copy;
}

/** PUT /members/:id and PUT /members/me: a merge update of `current` from the request body (spec B.9.7). */
export async function updateMember(core: Core, request: FastifyRequest, current: MemberView) {
  const { club, ctx } = caller(request);
  const body = request.body as UpdateMemberBody;
  const schema = memberSchemaOf(club);
  const sent = asJson(body.properties ?? {});
  const errors: ValidationErrors = {};
  const identifiers = checkIdentifiers(club, sent, errors);
  const after = {
    email: identifiers.email === undefined ? current.email : identifiers.email,
    msisdn: identifiers.msisdn === undefined ? current.msisdn : identifiers.msisdn,
  };
  requireAnIdentifier(schema, after, errors);
  if (body.validate_partially) {
    // Only what was sent is checked (spec B.9.7): the club schema may have changed since.
    checkSchema(schema, sent, 'sent', errors);
  } else {
    // Stored keys the schema does not know came through another door (a Gigya profile): they are kept, not judged.
    const stored = Object.fromEntries(Object.entries(current.profile).filter(([key]) => !schema.known || schema.known.has(key)));
    const merged = mergeJson({ ...stored, ...(current.language && { language: current.language }) }, withoutIdentifiers(sent)).value;
    checkSchema(schema, { ...merged, ...(after.email && { email: after.email }), ...(after.msisdn && { msisdn: after.msisdn }) }, 'full', errors);
  }
  checkConsents(schema, body.consents, errors);
  checkStores(club, body.favorite_stores, errors);
  if (hasErrors(errors)) throw new BoostcomError(422, errors);

  const channels: Partial<Record<Channel, ChannelStatusValue>> = {};
  for (const [channel, enabled] of [
    ['sms', body.sms_enabled],
    ['email', body.email_enabled],
    ['push', body.push_enabled],
  ] as const) {
    const wanted = status(enabled);
    // "enabled" keeps a verified msisdn verified.
    if (wanted && !(wanted === 'enabled' && current.channels[channel] === 'verified')) channels[channel] = wanted;
  }
  const change: MemberChange = { properties: profileOf(sent), consents: consentChanges(body.consents), channels };
  if (identifiers.email !== undefined) change.email = identifiers.email;
  if (identifiers.msisdn !== undefined) change.msisdn = identifiers.msisdn;
  if ('language' in sent) change.language = typeof sent['language'] === 'string' && sent['language'] !== '' ? sent['language'] : schema.defaultLanguage;
  if (body.password !== undefined) change.password = body.password;
  if (body.favorite_stores) change.favoriteStores = body.favorite_stores;
  if (body.event_occurred_at) change.occurredAt = new Date(body.event_occurred_at);
  return renderMember(await core.members.update(ctx, current.uid, change), club);
}
