// `roster/testing` for any Node process, with or without a TypeScript loader: the compiled
// JavaScript in dist/ when it is current (`npm run build`; a git dependency builds it on install),
// else Roster's TypeScript through tsx, scoped to Roster's own modules (as bin/roster.js does).
import { distIsCurrent } from './bin/dist.js';

const testing = distIsCurrent() ? await import('./dist/testing.js') : await (await import('tsx/esm/api')).tsImport('./src/testing.ts', import.meta.url);

export const startRoster = testing.startRoster;
