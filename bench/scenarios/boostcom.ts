import type { BenchContext, Scenario } from './types.js';
import { freshEmail, seededIndex } from './types.js';

const headers = (ctx: BenchContext) => ({
  'content-type': 'application/json',
  'x-client-authorization': ctx.clubToken,
  'x-product-name': 'bench',
  'x-user-agent': 'roster-bench/1.0',
});

export const boostcomScenarios: Scenario[] = [
  {
    name: 'boostcom create member',
    baseline: 'db',
    load: (ctx) => ({
      method: 'POST',
      headers: headers(ctx),
      next: () => ({
        path: `/v3/${ctx.clubSlug}/members`,
        body: JSON.stringify({ properties: { email: freshEmail('member'), first_name: 'Ola', last_name: 'Nordmann' }, send_email_welcome_message: false }),
      }),
    }),
  },
  {
    name: 'boostcom GET member by email',
    baseline: 'http',
    goalRatio: 0.35,
    load: (ctx) => ({
      method: 'GET',
      headers: headers(ctx),
      next: () => ({ path: `/v3/${ctx.clubSlug}/members/by_email/${encodeURIComponent(`user${seededIndex(ctx)}@bench.example`)}` }),
    }),
  },
];
