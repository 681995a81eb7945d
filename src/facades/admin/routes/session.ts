import Type from 'typebox';
import { principalTenants } from '../../../core/index.js';
import { clearSessionCookie, requestOrigin, sessionToken, setSessionCookie } from '../principal.js';
import { type AdminRouteDeps, principalOf } from './context.js';

const LOGIN_MESSAGES = {
  invalid: 'Wrong email or password',
  locked: 'Too many failed sign-ins: this admin is locked for a while',
  totp_required: 'Enter the code from your authenticator app',
  totp_invalid: 'Wrong authenticator code',
} as const;

/** Sign-in, the current session (with its CSRF token) and sign-out. */
export function sessionRoutes({ app, core }: AdminRouteDeps): void {
  app.post(
    '/admin/v1/session',
    {
      config: { public: true },
      schema: {
        summary: 'Sign in (sets the session cookie)',
        tags: ['session'],
        body: Type.Object(
          {
            email: Type.String({ minLength: 3, maxLength: 320 }),
            password: Type.String({ minLength: 1, maxLength: 1024 }),
            totp: Type.Optional(Type.String({ maxLength: 12 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const { email, password, totp } = request.body as { email: string; password: string; totp?: string };
      const outcome = await core.adminIdentity.login(email, password, totp, requestOrigin(request));
      if (!outcome.ok)
        return reply.code(outcome.reason === 'locked' ? 429 : 401).send({ error: LOGIN_MESSAGES[outcome.reason], code: `login.${outcome.reason}` });
      setSessionCookie(request, reply, outcome.token, Math.floor(core.adminIdentity.policy.sessionMaxMs / 1000));
      return { user: outcome.user, csrfToken: core.adminIdentity.csrfToken(outcome.token), expiresAt: outcome.expiresAt.toISOString() };
    },
  );

  app.get('/admin/v1/session', { schema: { summary: 'Who is signed in, the CSRF token and the tenants they work in', tags: ['session'] } }, async (request) => {
    const principal = principalOf(request);
    const allowed = principalTenants(principal);
    const tenants = (await core.tenants.list()).filter((t) => allowed === 'all' || allowed.includes(t.id));
    const token = sessionToken(request);
    return {
      user: principal.kind === 'user' ? principal.user : null,
      key: principal.kind === 'key' ? { userKey: principal.key.userKey, permissions: principal.key.permissions } : null,
      csrfToken: principal.kind === 'user' && token ? core.adminIdentity.csrfToken(token) : null,
      tenants: tenants.map((t) => ({ id: t.id, name: t.name })),
    };
  });

  app.delete('/admin/v1/session', { schema: { summary: 'Sign out', tags: ['session'] } }, async (request, reply) => {
    const token = sessionToken(request);
    if (!token || principalOf(request).kind !== 'user') throw Object.assign(new Error('No session to end'), { statusCode: 400 });
    await core.adminIdentity.logout(token);
    clearSessionCookie(request, reply);
    return reply.code(204).send();
  });
}
