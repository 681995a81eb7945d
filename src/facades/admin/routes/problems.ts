import type { FastifyReply } from 'fastify';

/** One problem of a refused document: where (a JSON pointer) and what, so the console shows it beside its field. */
export interface FieldProblem {
  path: string;
  message: string;
}

/**
 * The problems of a document with paths relative to `prefix` (a one-entry document's entry,
 * "/tenants/0/sites/0", gives "/gigya/schema/…"; no prefix keeps the document's own paths), and
 * each one split into path and message.
 */
export function entryProblems(problems: string[], prefix = ''): { problems: string[]; fields: FieldProblem[] } {
  const relative = (path: string) => (prefix === '' ? path : path === prefix ? '/' : path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : path);
  const fields = problems.map((p): FieldProblem => {
    const unknown = /^unknown key (\S+) at (\/\S*)$/.exec(p);
    if (unknown) return { path: `${relative(unknown[2] as string).replace(/\/$/, '')}/${unknown[1]}`, message: `unknown key ${unknown[1]}` };
    const at = /^(\/\S*): (.*)$/s.exec(p);
    return at ? { path: relative(at[1] as string), message: at[2] as string } : { path: '/', message: p };
  });
  return { problems: fields.map((f) => `${f.path}: ${f.message}`), fields };
}

/** The admin API's one answer to a document it refuses: 400 with `error`, `problems` and `fields`. */
export function refused(reply: FastifyReply, result: { problems: string[] }, prefix = '', error = 'Not saved: the document does not match the apply format') {
  return reply.code(400).send({ error, ...entryProblems(result.problems, prefix) });
}
