import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDomainError, type JsonObject } from '../../src/core/index.js';
import { jsonEqual, MAX_MERGE_DEPTH, mergeJson } from '../../src/core/json-merge.js';

describe('mergeJson', () => {
  it('merges nested objects key by key and reports the changed paths', () => {
    const { value, changed } = mergeJson({ a: 1, b: { c: 2, d: 3 } }, { b: { c: 5 }, e: 'x' });
    assert.deepEqual(value, { a: 1, b: { c: 5, d: 3 }, e: 'x' });
    assert.deepEqual(changed.sort(), ['b.c', 'e']);
  });

  it('removes a key given null, and reports nothing when the key was absent', () => {
    assert.deepEqual(mergeJson({ a: 1, b: 2 }, { a: null }), { value: { b: 2 }, changed: ['a'] });
    assert.deepEqual(mergeJson({ b: 2 }, { a: null }), { value: { b: 2 }, changed: [] });
  });

  it('replaces arrays whole and ignores writes of equal values', () => {
    assert.deepEqual(mergeJson({ tags: [1, 2] }, { tags: [3] }).value, { tags: [3] });
    assert.deepEqual(mergeJson({ tags: [1, 2], o: { x: 1 } }, { tags: [1, 2], o: { x: 1 } }).changed, []);
  });

  it('does not keep nulls inside a new nested object', () => {
    assert.deepEqual(mergeJson({}, { o: { x: null, y: 1 } }).value, { o: { y: 1 } });
  });

  it('does not modify its inputs', () => {
    const target = { a: { b: 1 } };
    mergeJson(target, { a: { b: 2 } });
    assert.deepEqual(target, { a: { b: 1 } });
  });

  it('compares JSON structurally', () => {
    assert.ok(jsonEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }));
    assert.ok(!jsonEqual({ a: [1] }, { a: [1, 2] }));
    assert.ok(!jsonEqual({ a: 1 }, { b: 1 }));
    assert.ok(!jsonEqual([], {}));
  });
});

describe('mergeJson and jsonEqual at depth', () => {
  const deep = (depth: number): JsonObject => {
    let value: JsonObject = { leaf: 1 };
    for (let i = 0; i < depth; i++) value = { a: value };
    return value;
  };

  it('refuses a patch nested deeper than the limit with request.invalid_field, not a stack overflow', () => {
    assert.throws(
      () => mergeJson({}, deep(10_000)),
      (error: unknown) => isDomainError(error, 'request.invalid_field') && error.fields[0]?.message === `is nested deeper than ${MAX_MERGE_DEPTH} levels`,
    );
    assert.throws(
      () => mergeJson(deep(100), deep(100)),
      (error: unknown) => isDomainError(error, 'request.invalid_field'),
    );
    assert.deepEqual(mergeJson({}, deep(MAX_MERGE_DEPTH - 1)).value, deep(MAX_MERGE_DEPTH - 1));
  });

  it('compares values of any depth without recursion', () => {
    assert.equal(jsonEqual(deep(200_000), deep(200_000)), true);
    const other = deep(200_000);
    assert.equal(jsonEqual(deep(200_000), { ...other, b: 1 }), false);
    assert.equal(jsonEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] }), false);
    assert.equal(jsonEqual(JSON.parse('{"__proto__":1}'), {}), false);
  });
});
