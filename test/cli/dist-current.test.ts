import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

/** bin/dist.js decides from its own location: a copy in a scratch tree with src/, dist/ and a lock file. */
describe('which code runs: dist/ only while it is newer than src/ and package-lock.json', () => {
  const tree = mkdtempSync(join(tmpdir(), 'roster-dist-'));
  after(() => rmSync(tree, { recursive: true, force: true }));
  mkdirSync(join(tree, 'bin'));
  mkdirSync(join(tree, 'src'));
  mkdirSync(join(tree, 'dist'));
  copyFileSync(new URL('../../bin/dist.js', import.meta.url), join(tree, 'bin', 'dist.js'));
  const touch = (path: string, secondsAgo: number) => {
    writeFileSync(join(tree, path), '');
    const at = new Date(Date.now() - secondsAgo * 1000);
    utimesSync(join(tree, path), at, at);
  };

  it('a build after the last source and lock change is current; a later npm install (lock file) makes it stale', async () => {
    const { distIsCurrent } = (await import(pathToFileURL(join(tree, 'bin', 'dist.js')).href)) as { distIsCurrent: () => boolean };
    const saved = process.env.ROSTER_RUN_SOURCE;
    delete process.env.ROSTER_RUN_SOURCE;
    try {
      touch('src/a.ts', 300);
      touch('package-lock.json', 200);
      touch('dist/.built', 100);
      assert.equal(distIsCurrent(), true);
      touch('package-lock.json', 10);
      assert.equal(distIsCurrent(), false, 'packages changed after the build');
      touch('dist/.built', 0);
      touch('src/a.ts', -5);
      assert.equal(distIsCurrent(), false, 'source changed after the build');
    } finally {
      if (saved !== undefined) process.env.ROSTER_RUN_SOURCE = saved;
    }
  });
});
