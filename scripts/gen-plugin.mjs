#!/usr/bin/env node
// Writes the Claude Code plugin's files (.claude-plugin/, plugin/) from src/claude/plugin-spec.ts,
// i.e. from the same hook spec the installer uses. `--check` writes nothing and exits 1 on a diff.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = await build({ entryPoints: [join(root, 'src/claude/plugin-spec.ts')], bundle: true, format: 'esm', platform: 'node', write: false });
const mod = await import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const files = mod.pluginFiles(pkg, readFileSync(join(root, 'templates/skill/SKILL.md'), 'utf8'));
const check = process.argv.includes('--check');
let stale = 0;
for (const [rel, text] of Object.entries(files)) {
  const path = join(root, rel);
  const current = existsSync(path) ? readFileSync(path, 'utf8') : null;
  if (current === text) continue;
  stale++;
  if (check) {
    console.error(`${rel} is out of date`);
    continue;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  console.log(`wrote ${rel}`);
}
if (check && stale) {
  console.error('Run: npm run gen:plugin');
  process.exit(1);
}
