import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

describe('the Node flags the server runs with', () => {
  it('are the same for `npm start` and the container image', () => {
    const start = (JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts.start.split(/\s+/);
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(read('Dockerfile'))?.[1] ?? '[]') as string[];
    assert.deepEqual(start.slice(0, start.indexOf('bin/roster.js')), ['node', '--max-semi-space-size=4']);
    assert.deepEqual(cmd, [...start.slice(0, start.indexOf('bin/roster.js')), 'bin/roster.js', 'start']);
  });
});
