import type { FastifyRequest } from 'fastify';
import type { CallContext, Core } from '../../core/index.js';
import type { Caller, MethodPolicy } from './auth.js';
import type { GigyaMetrics } from './metrics.js';
import type { Params } from './params.js';

/** What one accounts.* method gets: parsed parameters, the proven caller and the core. */
export interface MethodCall {
  params: Params;
  caller: Caller;
  ctx: CallContext;
  core: Core;
  request: FastifyRequest;
  metrics: GigyaMetrics;
}

/** One Gigya method: its policy, the parameters it knows (others go to ignoredParams) and its work. */
export interface GigyaMethod extends MethodPolicy {
  params: ReadonlySet<string>;
  /** Fields added to the success envelope. */
  run(call: MethodCall): Promise<Record<string, unknown>>;
}
