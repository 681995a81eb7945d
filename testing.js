// `roster/testing` for any Node process, with or without a TypeScript loader: Roster runs its
// TypeScript through tsx (as bin/roster.js does), here scoped to Roster's own modules.
import { tsImport } from 'tsx/esm/api';

const testing = await tsImport('./src/testing.ts', import.meta.url);

export const startRoster = testing.startRoster;
