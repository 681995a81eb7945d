import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { Core, FieldError } from '../../../core/index.js';
import type { ClientConfigs } from '../client-config.js';
import { invalidInput } from '../errors.js';
import type { OrchestratedUser, Orchestrator } from '../orchestrator.js';
import { authenticate, type NavigaCall, parseBoolean } from '../request.js';
import { usersEnvelope } from '../wire.js';
import { NavigaHeaders, responses, UsersQuery } from './schemas.js';

export interface UsersRouteOptions {
  core: Core;
  configs: ClientConfigs;
  orchestrator: Orchestrator;
  /** Hide from the OpenAPI document (the /UsersOrchestrator copies). */
  hide: boolean;
}

const ORDER_BY = { customerregistrationid: 'customerRegistrationId', email: 'email', firstname: 'firstName', lastname: 'lastName' } as const;
const MAX_ID = 128;

/** Get By Query String (spec A.4 #3): the filter is customerRegistrationId; PageSize, OrderBy, OrderByType shape the page. */
async function byQueryString(call: NavigaCall, orchestrator: Orchestrator, ignoreProvider: boolean, errors: FieldError[]) {
  const q = call.query;
  const pageSizeText = q.get('pagesize');
  const pageSize = pageSizeText === undefined || pageSizeText === '' ? 10 : Number(pageSizeText);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) errors.push({ field: 'PageSize', message: 'must be an integer from 1 to 1000' });
  const orderByText = (q.get('orderby') ?? 'customerRegistrationId').toLowerCase();
  const orderBy = ORDER_BY[orderByText as keyof typeof ORDER_BY];
  if (!orderBy) errors.push({ field: 'OrderBy', message: `must be one of ${Object.values(ORDER_BY).join(', ')}` });
  const direction = (q.get('orderbytype') ?? 'asc').toLowerCase();
  if (direction !== 'asc' && direction !== 'desc') errors.push({ field: 'OrderByType', message: 'must be asc or desc' });
  const id = q.get('customerregistrationid') ?? '';
  if (id.length > MAX_ID) errors.push({ field: 'CustomerRegistrationId', message: `must be at most ${MAX_ID} characters` });
  if (errors.length > 0) throw invalidInput(errors);
  const users = await orchestrator.getById(call, id, ignoreProvider, 'get');
  const sorted = [...users].sort((a, b) => a.item[orderBy].localeCompare(b.item[orderBy]) * (direction === 'desc' ? -1 : 1));
  return { users: sorted.slice(0, pageSize), total: users.length };
}

export async function usersRoutes(app: FastifyInstance, options: UsersRouteOptions) {
  const { core, configs, orchestrator, hide } = options;

  app.get(
    '/v4/Users',
    {
      attachValidation: true,
      schema: {
        hide,
        summary: 'Get By Email, Get By Encrypted Email, Get By Encrypted Id, Get By Token, Get By Query String',
        description:
          'One of email, encryptedEmail, encryptedCustomerRegistrationId, token or customerRegistrationId selects the read (in that precedence: encryptedCustomerRegistrationId, encryptedEmail, token, email, customerRegistrationId). token: a live Roster session token (Gigya login_token, Boostcom access token); unknown, expired or revoked → no user.',
        tags: ['Users'],
        headers: NavigaHeaders,
        querystring: UsersQuery,
        response: responses,
      },
    },
    async (request) => {
      const call = await authenticate(request, core, configs);
      const errors: FieldError[] = [];
      const ignoreProvider = parseBoolean(call.query, 'ignoreProvider', errors);
      const q = call.query;
      let users: OrchestratedUser[];
      let total: number | undefined;
      if (q.has('encryptedcustomerregistrationid')) {
        const uid = orchestrator.openEncryptedId(call, q.get('encryptedcustomerregistrationid') ?? '');
        if (uid === undefined) errors.push({ field: 'encryptedCustomerRegistrationId', message: 'is not an id issued for this client' });
        if (errors.length > 0) throw invalidInput(errors);
        users = await orchestrator.getById(call, uid as string, ignoreProvider, 'get');
      } else if (q.has('encryptedemail')) {
        const email = orchestrator.openEncryptedEmail(call, q.get('encryptedemail') ?? '');
        if (email === undefined) errors.push({ field: 'encryptedEmail', message: 'is not an encrypted email issued for this client' });
        if (errors.length > 0) throw invalidInput(errors);
        users = await orchestrator.getByEmail(call, email as string, ignoreProvider);
      } else if (q.get('token')?.trim()) {
        // Get By Token (spec A.4 #6): a live session token of this site (or one it accepts sessions of); otherwise nobody.
        if (errors.length > 0) throw invalidInput(errors);
        const session = await core.credentials.siteSession(call.ctx, call.site, q.get('token') as string);
        users = session ? await orchestrator.getById(call, session.accountUid, ignoreProvider, 'get') : [];
      } else if (q.get('email')?.trim()) {
        if (errors.length > 0) throw invalidInput(errors);
        users = await orchestrator.getByEmail(call, q.get('email') as string, ignoreProvider);
      } else if (q.get('customerregistrationid')?.trim()) {
        ({ users, total } = await byQueryString(call, orchestrator, ignoreProvider, errors));
      } else {
        throw invalidInput([...errors, { field: 'Email', message: 'is required' }]);
      }
      return usersEnvelope(
        users.map((u) => u.item),
        total,
      );
    },
  );

  const byId = {
    attachValidation: true,
    schema: {
      hide,
      summary: 'Get By Id',
      tags: ['Users'],
      headers: NavigaHeaders,
      params: Type.Object({ customerRegistrationId: Type.String({ maxLength: MAX_ID }) }),
      querystring: Type.Object({ ignoreProvider: Type.Optional(Type.String()) }),
      response: responses,
    },
  };
  const getById = async (request: FastifyRequest) => {
    const call = await authenticate(request, core, configs);
    const errors: FieldError[] = [];
    const ignoreProvider = parseBoolean(call.query, 'ignoreProvider', errors);
    const { customerRegistrationId } = request.params as { customerRegistrationId: string };
    if (customerRegistrationId.length > MAX_ID) errors.push({ field: 'customerRegistrationId', message: `must be at most ${MAX_ID} characters` });
    if (errors.length > 0) throw invalidInput(errors);
    return usersEnvelope((await orchestrator.getById(call, customerRegistrationId, ignoreProvider)).map((u) => u.item));
  };
  app.get('/v4/Users/:customerRegistrationId', byId, getById);
  // The documented form has a trailing slash (spec A.4 #1).
  app.get('/v4/Users/:customerRegistrationId/', { ...byId, schema: { ...byId.schema, hide: true } }, getById);
}
