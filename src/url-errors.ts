import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { envelope as gigyaEnvelope, serialize as gigyaSerialize, newCallId } from './facades/gigya/envelope.js';
import { gigyaErrors } from './facades/gigya/errors.js';
import { errorEnvelope as navigaEnvelope, invalidInput as navigaInvalidInput, legacyErrorEnvelope as navigaLegacyEnvelope } from './facades/naviga/errors.js';

/** Which facade a URL belongs to, read from its path alone (the router could not place it). */
function facadeOf(url: string): 'boostcom' | 'naviga' | 'gigya' | undefined {
  const path = url.split('?', 1)[0] ?? '';
  if (path.startsWith('/v3/')) return 'boostcom';
  if (/^\/(?:UsersOrchestrator\/)?(?:v4\/Users|User\/)/i.test(path)) return 'naviga';
  if (/^\/[A-Za-z]+\.[A-Za-z]/.test(path)) return 'gigya';
  return undefined;
}

/**
 * URLs the router refuses before any facade sees them: a path segment that is not valid
 * percent-encoded UTF-8 (FST_ERR_BAD_URL), or longer than the path-segment limit
 * (FST_ERR_MAX_PARAM_LENGTH). Answered in the shape of the facade the path belongs to, so a
 * client parses the failure as it parses any other; Fastify's own JSON elsewhere.
 */
export function answerUrlError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  const reason = tooLong ? 'a path segment is longer than the server accepts' : 'the path is not valid percent-encoded UTF-8';
  switch (facadeOf(request.url)) {
    case 'boostcom':
      void reply.code(tooLong ? 414 : 400).send({ error: `Invalid URL: ${reason}` });
      return;
    case 'naviga': {
      const wire = navigaInvalidInput([{ field: 'path', message: reason }]);
      const legacy = /^\/(?:UsersOrchestrator\/)?User\//i.test(request.url);
      void reply.code(400).send(legacy ? navigaLegacyEnvelope(wire, request.id) : navigaEnvelope(wire));
      return;
    }
    case 'gigya': {
      const now = new Date();
      const body = gigyaEnvelope(
        { callId: newCallId(), context: undefined, ignoredParams: [] },
        gigyaErrors.invalidRequestFormat(`Invalid URL: ${reason}`),
        {},
        now,
      );
      const { payload, contentType } = gigyaSerialize(body, undefined);
      void reply.code(200).header('content-type', contentType).send(payload);
      return;
    }
    default:
      void reply.code(tooLong ? 414 : 400).send({ error: 'Bad Request', code: error.code, message: `Invalid URL: ${reason}`, statusCode: tooLong ? 414 : 400 });
  }
}
