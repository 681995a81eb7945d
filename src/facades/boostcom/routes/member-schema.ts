import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { caller } from '../auth.js';
import { PERMITS } from '../permits.js';
import { commonResponses, SlugParams } from '../schemas.js';

/** The club's member schema as provisioned (spec B.6). */
export function memberSchemaRoutes(app: FastifyInstance): void {
  app.get(
    '/v3/:loyalty_club_slug/member_schema',
    {
      config: { permits: [PERMITS.schemaGet] },
      schema: {
        summary: 'Member schema of the loyalty club',
        tags: ['schema'],
        params: SlugParams,
        response: { 200: Type.Record(Type.String(), Type.Unknown()), ...commonResponses },
      },
    },
    async (request) => caller(request).club.settings.member_schema,
  );
}
