// `roster/testing` for any Node process, with or without a TypeScript loader: the compiled build
// when it is current (`npm run build`: one bundled file, else dist/testing.js), else Roster's
// TypeScript through tsx, scoped to Roster's own modules (as bin/roster.js does).
import { compiledEntry, distIsCurrent } from './bin/dist.js';

const testing = distIsCurrent()
  ? await import(compiledEntry('testing.js', 'testing.js'))
  : await (await import('tsx/esm/api')).tsImport('./src/testing.ts', import.meta.url);

export const startRoster = testing.startRoster;
