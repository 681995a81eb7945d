import Type from 'typebox';

/** Response shapes for the route schemas: they drive serialisation and the OpenAPI document. */

const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const Member = Type.Object(
  {
    id: Type.Integer(),
    properties: Type.Record(Type.String(), Type.Unknown()),
    consents: Type.Record(Type.String(), Type.Object({ status: Type.Boolean(), updated_at: Nullable(Type.String()) })),
    sms_status: Type.String(),
    email_status: Type.String(),
    push_status: Type.String(),
    optin_channel: Type.String(),
    optin_subchannel: Nullable(Type.String()),
    created_at: Type.String(),
    updated_at: Type.String(),
    banned_until: Nullable(Type.String()),
    person_id: Nullable(Type.Integer()),
    has_password: Type.Boolean(),
    subunit_ids: Type.Array(Type.Integer()),
    has_push_token: Type.Boolean(),
    social_logins: Type.Array(Type.String()),
    favorite_stores: Type.Array(Type.Integer()),
  },
  { description: 'Member (spec B.4)' },
);

export const PaginationInfo = Type.Object({
  total_count: Type.Integer(),
  per_page: Type.Integer(),
  total_pages: Type.Integer(),
  current_page: Type.Integer(),
  next_page: Nullable(Type.Integer()),
  prev_page: Nullable(Type.Integer()),
  is_first_page: Type.Boolean(),
  is_last_page: Type.Boolean(),
  is_out_of_range: Type.Boolean(),
});

export const ErrorBody = Type.Object({ error: Type.String() }, { description: 'Handled error (spec B.2)' });
export const ValidationErrorBody = Type.Record(Type.String(), Type.Unknown(), { description: 'Validation errors (spec B.7)' });

export const SlugParams = Type.Object({ loyalty_club_slug: Type.String({ maxLength: 200 }) });
export const IdParams = Type.Object({ loyalty_club_slug: Type.String({ maxLength: 200 }), id: Type.String({ maxLength: 40 }) });
export const MsisdnParams = Type.Object({ loyalty_club_slug: Type.String({ maxLength: 200 }), msisdn: Type.String({ maxLength: 40 }) });
export const EmailParams = Type.Object({ loyalty_club_slug: Type.String({ maxLength: 200 }), email: Type.String({ maxLength: 320 }) });

/** The statuses every authenticated route may answer besides its own (spec B.2). */
export const commonResponses = {
  401: ErrorBody,
  403: ErrorBody,
  470: ErrorBody,
  471: ErrorBody,
};
