// `roster/testing` for any Node process, with or without a TypeScript loader: the compiled build
// when it is current (`npm run build`: one bundled file, else dist/testing.js), else Roster's
// TypeScript through tsx, scoped to Roster's own modules (as bin/roster.js does).
import { existsSync } from 'node:fs';
import { distIsCurrent } from './bin/dist.js';

const bundled = new URL('./dist/bundle/testing.js', import.meta.url);
const testing = distIsCurrent()
  ? await import(existsSync(bundled) ? bundled.href : './dist/testing.js')
  : await (await import('tsx/esm/api')).tsImport('./src/testing.ts', import.meta.url);

export const startRoster = testing.startRoster;
