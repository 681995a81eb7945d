import type { BenchContext, Scenario } from './types.js';
import { seededIndex } from './types.js';

const headers = (ctx: BenchContext) => ({
  authorization: `Bearer ${ctx.naviga.jwt}`,
  'x-sourcesystem': 'bench',
  'x-clientcode': ctx.naviga.clientCode,
  'x-papercode': ctx.naviga.paperCode,
  'x-clientgroupcode': ctx.naviga.groupCode,
});

export const navigaScenarios: Scenario[] = [
  {
    name: 'naviga GET /v4/Users?email= (local store)',
    baseline: 'http',
    goalRatio: 0.35,
    load: (ctx) => ({
      method: 'GET',
      headers: headers(ctx),
      check: (body) => body.includes('"totalRecords":1'),
      next: () => ({ path: `/v4/Users?email=${encodeURIComponent(`user${seededIndex(ctx)}@bench.example`)}` }),
    }),
  },
];
