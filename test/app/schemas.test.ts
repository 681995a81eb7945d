import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { lazySchemaCompilers } from '../../src/schema-compilers.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';

describe('route schemas compiled at first use', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp();
    await t.app.ready();
  });
  after(() => t.close());

  it('compiles none at start-up, and every one of them compiles', () => {
    // Every facade's request and response schemas are still waiting after ready(); each compiles.
    const compiled = t.app.compileAllSchemas();
    assert.ok(compiled > 100, `${compiled} schemas were pending after ready()`);
    assert.equal(t.app.compileAllSchemas(), 0, 'each compiles once');
  });
});

describe('lazy schema compilers', () => {
  it('validate and serialize as Fastify does itself: header names in any case, the reasons of a refusal, response fields', async () => {
    const schemas = lazySchemaCompilers();
    const app = Fastify({ schemaController: { compilersFactory: schemas.compilersFactory } });
    app.post(
      '/echo',
      {
        schema: {
          headers: { type: 'object', properties: { 'X-Source': { type: 'string' } }, required: ['X-Source'] },
          body: { type: 'object', properties: { n: { type: 'integer', maximum: 10 } }, required: ['n'] },
          response: { 200: { type: 'object', properties: { n: { type: 'integer' } } } },
        },
      },
      async (request) => ({ ...(request.body as object), secret: 'not in the response schema' }),
    );
    await app.ready();
    assert.equal(schemas.compileAll() > 0, true);
    const post = (headers: Record<string, string>, body: unknown) => app.inject({ method: 'POST', url: '/echo', headers, payload: body as object });

    const ok = await post({ 'X-SOURCE': 'a' }, { n: 3 });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json(), { n: 3 }, 'the response schema drops what it does not name');
    const noHeader = await post({}, { n: 3 });
    assert.equal(noHeader.statusCode, 400);
    assert.match(noHeader.json().message, /headers must have required property 'x-source'/);
    const tooBig = await post({ 'x-source': 'a' }, { n: 11 });
    assert.equal(tooBig.statusCode, 400);
    assert.match(tooBig.json().message, /body\/n must be <= 10/);
    await app.close();
  });
});
