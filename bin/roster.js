#!/usr/bin/env node
// The `roster` command. Roster runs its TypeScript through tsx: no build step to forget.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
