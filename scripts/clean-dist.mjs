// Empty dist/ before a build: the two tsup builds share it, and stale hashed chunks must not ship.
import { rmSync } from 'node:fs';
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
