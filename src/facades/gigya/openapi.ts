import type { FastifyInstance } from 'fastify';

/** Where the Gigya-compatible API's OpenAPI document is served; /docs lists it beside the others. */
export const GIGYA_OPENAPI_PATH = '/gigya/openapi.json';

type Param = [name: string, description: string, required?: boolean];

/** The accounts.* methods Roster answers, with the parameters each reads (besides the credentials). */
const METHODS: Record<string, { summary: string; params: Param[] }> = {
  'accounts.importLiteAccount': {
    summary: 'Create or update a lite account by email (profile, data, subscriptions, preferences merged)',
    params: [
      ['email', 'The email address of the lite account', true],
      ['profile', 'JSON object of profile fields'],
      ['data', 'JSON object of custom data'],
      ['subscriptions', 'JSON object: {subscriptionId: {email: {isSubscribed, tags, doubleOptIn}}}'],
      ['preferences', 'JSON object of consents: {consentId: {isConsentGranted, docVersion, lang}}'],
    ],
  },
  'accounts.getAccountInfo': {
    summary: 'Read one account',
    params: [
      ['UID', 'The account UID'],
      ['include', 'Comma-separated parts to include'],
      ['regToken', 'A registration token instead of the UID'],
    ],
  },
  'accounts.setAccountInfo': {
    summary: 'Change profile, data, subscriptions and preferences of an account',
    params: [
      ['UID', 'The account UID', true],
      ['profile', 'JSON object'],
      ['data', 'JSON object'],
      ['subscriptions', 'JSON object'],
      ['preferences', 'JSON object'],
    ],
  },
  'accounts.search': {
    summary: 'Search accounts with the SQL-like query language, with cursors',
    params: [
      ['query', 'SELECT … FROM accounts|emailAccounts WHERE … ORDER BY … LIMIT …'],
      ['openCursor', 'true to page with cursors'],
      ['cursorId', 'The cursor of the next page'],
      ['accountTypes', 'full, lite or full,lite'],
    ],
  },
  'accounts.unsubscribe': {
    summary: 'Turn one subscription off by email or email-account token',
    params: [
      ['email', 'The email address'],
      ['emailToken', 'The email-account token'],
      ['subscriptionID', 'The subscription id', true],
    ],
  },
  'accounts.resendDOIConfirmationEmail': {
    summary: 'Send the double opt-in confirmation email again',
    params: [
      ['email', 'The email address', true],
      ['subscriptionID', 'The subscription id', true],
    ],
  },
  'accounts.getLiteToken': {
    summary: 'A short-lived token that reads a lite account',
    params: [
      ['email', 'The email address'],
      ['emailToken', 'The email-account token'],
      ['ttl', 'Seconds the token lives'],
    ],
  },
  'accounts.deleteLiteAccount': { summary: 'Delete a lite account by its email-account token', params: [['emailToken', 'The email-account token', true]] },
  'accounts.deleteAccount': { summary: 'Delete an account', params: [['UID', 'The account UID', true]] },
  'accounts.getSchema': { summary: "The site's profile, data, subscriptions and preferences schema", params: [['include', 'Comma-separated schema parts']] },
  'accounts.setSchema': {
    summary: "Change the site's schema",
    params: [
      ['profileSchema', 'JSON'],
      ['dataSchema', 'JSON'],
      ['subscriptionsSchema', 'JSON'],
      ['preferencesSchema', 'JSON'],
    ],
  },
  'accounts.webhooks.set': {
    summary: 'Create or change a webhook',
    params: [
      ['name', 'Webhook name', true],
      ['url', 'Target URL', true],
      ['events', 'JSON array of event names', true],
      ['userKey', 'The key whose secret signs deliveries'],
    ],
  },
  'accounts.webhooks.getAll': { summary: "The site's webhooks", params: [] },
  'accounts.webhooks.delete': { summary: 'Delete a webhook', params: [['name', 'Webhook name', true]] },
};

const CREDENTIALS: Param[] = [
  ['apiKey', 'The site API key', true],
  ['userKey', 'Application key (with secret, or with sig, timestamp and nonce)'],
  ['secret', 'The application key secret (over HTTPS)'],
  ['timestamp', 'Seconds since the epoch (signed requests)'],
  ['nonce', 'A value used once (signed requests)'],
  ['sig', 'HMAC-SHA1 signature of the request (signed requests)'],
  ['format', 'json (the default)'],
];

/** An OpenAPI 3.1 description of the Gigya-compatible accounts.* methods: form-encoded POST (or GET), JSON answers. */
export function gigyaOpenApi() {
  const paths: Record<string, unknown> = {};
  for (const [method, spec] of Object.entries(METHODS)) {
    const all = [...CREDENTIALS, ...spec.params];
    paths[`/${method}`] = {
      post: {
        summary: spec.summary,
        tags: [method.startsWith('accounts.webhooks') ? 'webhooks' : 'accounts'],
        requestBody: {
          required: true,
          content: {
            'application/x-www-form-urlencoded': {
              schema: {
                type: 'object',
                required: all.filter(([, , required]) => required).map(([name]) => name),
                properties: Object.fromEntries(all.map(([name, description]) => [name, { type: 'string', description }])),
              },
            },
          },
        },
        responses: {
          200: {
            description: 'Always HTTP 200 in the Gigya style: errorCode 0 on success, a Gigya error code otherwise',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    callId: { type: 'string' },
                    errorCode: { type: 'integer' },
                    errorMessage: { type: 'string' },
                    errorDetails: { type: 'string' },
                    statusCode: { type: 'integer' },
                    statusReason: { type: 'string' },
                    time: { type: 'string' },
                  },
                },
              },
            },
          },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Roster — Gigya-compatible accounts.* API',
      version: '1',
      description:
        'SAP Customer Data Cloud (Gigya) accounts.* methods as Roster answers them. Point an existing Gigya client at Roster: requests are form-encoded, authenticated with the site apiKey plus an application userKey and secret, a signature, or a bearer JWT, and answered in the Gigya envelope.',
    },
    paths,
  };
}

export async function gigyaOpenApiRoute(app: FastifyInstance): Promise<void> {
  const document = gigyaOpenApi();
  app.get(GIGYA_OPENAPI_PATH, { schema: { hide: true } }, async () => document);
}
