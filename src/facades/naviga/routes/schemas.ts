import Type from 'typebox';
import { ErrorEnvelope, UsersEnvelope } from '../wire.js';

/** Route contracts for the OpenAPI document. Validation itself is done by hand (request.ts) so every problem is listed in Naviga's shape. */

export const NavigaHeaders = Type.Object(
  {
    'X-SourceSystem': Type.String({ description: 'The consumer (source system); recorded on every event' }),
    'X-ClientCode': Type.String({ description: 'Client code of the tenant' }),
    'X-PaperCode': Type.String({ description: 'Paper code of the tenant' }),
    'X-ClientGroupCode': Type.String({ description: 'Client group code of the tenant' }),
  },
  { required: ['X-SourceSystem', 'X-ClientCode', 'X-PaperCode', 'X-ClientGroupCode'] },
);

export const UsersQuery = Type.Object({
  email: Type.Optional(Type.String({ description: "Subscriber's email (Get By Email); names are case-insensitive (Email works too)" })),
  ignoreProvider: Type.Optional(Type.String({ description: 'true: read the local store only; default false', examples: ['false'] })),
  encryptedEmail: Type.Optional(Type.String({ description: 'Get By Encrypted Email' })),
  encryptedCustomerRegistrationId: Type.Optional(Type.String({ description: 'Get By Encrypted Id' })),
  token: Type.Optional(Type.String({ description: 'Get By Token: a live Roster session token (Gigya login_token, Boostcom access token)' })),
  customerRegistrationId: Type.Optional(Type.String({ description: 'Get By Query String' })),
  pageSize: Type.Optional(Type.String({ description: 'Get By Query String: 1–1000, default 10' })),
  orderBy: Type.Optional(Type.String({ description: 'Get By Query String: customerRegistrationId, email, firstName or lastName' })),
  orderByType: Type.Optional(Type.String({ description: 'Get By Query String: asc or desc' })),
});

export const responses = {
  200: UsersEnvelope,
  400: ErrorEnvelope,
  401: ErrorEnvelope,
  500: ErrorEnvelope,
};
