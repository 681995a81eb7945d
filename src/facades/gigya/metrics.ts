import { Counter, type Registry } from 'prom-client';

/** Gigya facade metrics on the app's registry. Imports are counted apart from registrations (seed importLiteAccount). */
export function createGigyaMetrics(registry: Registry) {
  return {
    calls: new Counter({
      name: 'roster_gigya_calls_total',
      help: 'Gigya API calls by method and errorCode',
      labelNames: ['method', 'error_code'],
      registers: [registry],
    }),
    liteImports: new Counter({
      name: 'roster_gigya_lite_imports_total',
      help: 'Lite accounts imported through accounts.importLiteAccount (not registrations): created or merged',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}

export type GigyaMetrics = ReturnType<typeof createGigyaMetrics>;
