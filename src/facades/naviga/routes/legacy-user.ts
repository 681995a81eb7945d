import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { FieldError } from '../../../core/index.js';
import { invalidInput } from '../errors.js';
import type { OrchestratedUser } from '../orchestrator.js';
import { authenticate, parseBoolean } from '../request.js';
import { toLegacyUser } from '../wire.js';
import { NavigaHeaders } from './schemas.js';
import type { UsersRouteOptions } from './users.js';

/**
 * The legacy User API's Get By Email, `GET /User/{type}?email=` (PascalCase model of the seed),
 * served from the same orchestration. `{type}` is deprecated and ignored; `/User/Encrypted?encryptedEmail=`
 * (legacy Get By Encrypted Email) lands here too.
 */
export async function legacyUserRoutes(app: FastifyInstance, options: UsersRouteOptions) {
  const { core, configs, orchestrator, hide } = options;
  app.get(
    '/User/:type',
    {
      attachValidation: true,
      config: { legacy: true },
      schema: {
        hide,
        summary: 'Legacy User API: Get By Email (PascalCase model)',
        tags: ['Legacy User API'],
        headers: NavigaHeaders,
        params: Type.Object({ type: Type.String({ description: 'Deprecated; ignored' }) }),
        querystring: Type.Object({ email: Type.Optional(Type.String()), encryptedEmail: Type.Optional(Type.String()) }),
      },
    },
    async (request) => {
      const call = await authenticate(request, core, configs);
      const errors: FieldError[] = [];
      const ignoreProvider = parseBoolean(call.query, 'ignoreProvider', errors);
      let users: OrchestratedUser[];
      if (call.query.has('encryptedemail')) {
        const email = orchestrator.openEncryptedEmail(call, call.query.get('encryptedemail') ?? '');
        if (email === undefined) errors.push({ field: 'encryptedEmail', message: 'is not an encrypted email issued for this client' });
        if (errors.length > 0) throw invalidInput(errors);
        users = await orchestrator.getByEmail(call, email as string, ignoreProvider);
      } else {
        const email = call.query.get('email')?.trim();
        if (!email) errors.push({ field: 'Email', message: 'is required' });
        if (errors.length > 0) throw invalidInput(errors);
        users = await orchestrator.getByEmail(call, email as string, ignoreProvider);
      }
      const first = users[0];
      return { Code: 0, Errors: [], Result: { User: first ? toLegacyUser(first.user, first.item) : null }, SessionId: null, RequestId: request.id };
    },
  );
}
