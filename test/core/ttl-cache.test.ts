import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTtlCache } from '../../src/core/ttl-cache.js';

describe('ttl cache', () => {
  const clock = {
    t: 0,
    now() {
      return new Date(this.t);
    },
  };

  it('serves a loaded value until it expires, then loads again', async () => {
    const cache = createTtlCache<string>(clock, 1000);
    let loads = 0;
    const load = async () => `v${++loads}`;
    assert.equal(await cache.get('k', load), 'v1');
    clock.t = 999;
    assert.equal(await cache.get('k', load), 'v1');
    clock.t = 1001;
    assert.equal(await cache.get('k', load), 'v2');
  });

  it('shares one load among concurrent misses and does not cache a miss', async () => {
    const cache = createTtlCache<string>(clock, 1000);
    let loads = 0;
    const slow = () => new Promise<string | undefined>((resolve) => setTimeout(() => resolve(`v${++loads}`), 10));
    assert.deepEqual(await Promise.all([cache.get('k', slow), cache.get('k', slow), cache.get('k', slow)]), ['v1', 'v1', 'v1']);
    let misses = 0;
    const none = async () => {
      misses++;
      return undefined;
    };
    await cache.get('x', none);
    await cache.get('x', none);
    assert.equal(misses, 2);
  });

  it('forgets everything on clear (this process wrote) and bounds its size', async () => {
    const cache = createTtlCache<number>(clock, 1000, 2);
    let n = 0;
    const load = async () => ++n;
    await cache.get('a', load);
    cache.clear();
    assert.equal(await cache.get('a', load), 2);
    await cache.get('b', load);
    await cache.get('c', load); // evicts the oldest entry, 'a'
    assert.equal(await cache.get('a', load), 5);
  });
});
