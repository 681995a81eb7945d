import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { envelope, isValidCallback, newCallId, serialize, statusCodeFor } from '../../../src/facades/gigya/envelope.js';
import { GigyaError, gigyaErrors } from '../../../src/facades/gigya/errors.js';

const now = new Date('2019-10-31T09:34:44.285Z');

describe('Gigya envelope (gigya-wire §3)', () => {
  it('makes 32-hex call ids', () => {
    const a = newCallId();
    assert.match(a, /^[0-9a-f]{32}$/);
    assert.notEqual(a, newCallId());
  });

  it('derives statusCode from the error class; 0 and 2xxxxx codes are 200', () => {
    assert.equal(statusCodeFor(0), 200);
    assert.equal(statusCodeFor(400006), 400);
    assert.equal(statusCodeFor(403048), 403);
    assert.equal(statusCodeFor(500001), 500);
    assert.equal(statusCodeFor(206001), 206);
  });

  it('writes a success in the captured field order, with context echoed and the method fields after', () => {
    const body = envelope({ callId: 'c'.repeat(32), context: '{"id":1}', ignoredParams: [] }, undefined, { results: [] }, now);
    assert.deepEqual(Object.keys(body), ['callId', 'context', 'errorCode', 'apiVersion', 'statusCode', 'statusReason', 'time', 'results']);
    assert.equal(body.context, '{"id":1}');
    assert.equal(body.errorCode, 0);
    assert.equal(body.statusReason, 'OK');
    assert.equal(body.time, '2019-10-31T09:34:44.285Z');
    assert.equal('errorMessage' in body, false);
  });

  it('writes an error with errorDetails, errorMessage and validationErrors, and without the method fields', () => {
    const error = gigyaErrors.validation([{ errorCode: 400023, message: 'bad', fieldName: 'data.x' }]);
    const body = envelope({ callId: 'c', context: undefined, ignoredParams: [] }, error, { results: [] }, now);
    assert.deepEqual(Object.keys(body), [
      'callId',
      'errorCode',
      'errorDetails',
      'errorMessage',
      'apiVersion',
      'statusCode',
      'statusReason',
      'time',
      'validationErrors',
    ]);
    assert.equal(body.errorMessage, 'Validation error');
    assert.equal(body.statusReason, 'Bad Request');
    assert.equal(body.statusCode, 400);
  });

  it('leaves errorDetails out when an error has none', () => {
    const body = envelope({ callId: 'c', context: undefined, ignoredParams: [] }, new GigyaError(403003, 'Invalid request signature', undefined), {}, now);
    assert.equal('errorDetails' in body, false);
    assert.equal(body.statusReason, 'Forbidden');
  });

  it('accepts only identifier paths as jsonp callbacks', () => {
    for (const ok of ['cb', 'gigya.callback', '$jsonp_1', '_a.b$.c']) assert.ok(isValidCallback(ok), ok);
    for (const bad of ['', 'a b', 'alert(1)', 'a.', '.a', '1a', 'a[0]', 'x;y', `a${'b'.repeat(200)}`]) assert.equal(isValidCallback(bad), false, bad);
  });

  it('serialises json starting with { and jsonp wrapped in the callback', () => {
    const json = serialize({ a: 1 }, undefined);
    assert.ok(json.payload.startsWith('{'));
    assert.match(json.contentType, /^application\/json/);
    const jsonp = serialize({ a: 1 }, 'gigya.callback');
    assert.equal(jsonp.payload, 'gigya.callback({"a":1});');
    assert.match(jsonp.contentType, /^application\/javascript/);
  });
});
