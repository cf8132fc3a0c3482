/**
 * The installed copy of claude-intercom that config entries run: `<intercom home>/app/<version>/`
 * holding the running package's dist/, templates/ and package.json. It outlives package-runner
 * caches (npx) and lets hooks start with plain `node <cli.js>`, no resolver in between.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IntercomError } from '../core/errors.js';
import { PackageNotBuiltError } from './errors.js';

const PACKAGE_NAME = 'claude-intercom';
const COPIED = ['dist', 'templates', 'package.json'] as const;

/**
 * The root of the running package: the nearest folder above `fromUrl` whose package.json is ours.
 * In the bundle, `fromUrl` is a chunk in `<root>/dist/`; from source, a file in `<root>/src/...`.
 */
export function findPackageRoot(fromUrl: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(fromUrl));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME) return dir;
      } catch {
        /* not ours; keep looking */
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new IntercomError(`Could not find the claude-intercom package above ${fileURLToPath(fromUrl)}.`, 'Reinstall claude-intercom (npm i -g claude-intercom) and run it again.');
    dir = up;
  }
}

export function packageVersion(root: string): string {
  const v = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown }).version;
  if (typeof v !== 'string' || !/^[0-9A-Za-z.+-]+$/.test(v)) throw new IntercomError(`${join(root, 'package.json')} has no usable version.`);
  return v;
}

export interface AppCopyPlan {
  source: string;
  target: string;
  version: string;
  cliPath: string;
  action: 'create' | 'update' | 'skip';
  reason: string;
}

export function appDir(intercomHome: string, version: string): string {
  return join(intercomHome, 'app', version);
}

/** Relative paths of every file we copy, sorted. */
function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(root, p));
    }
  };
  for (const name of COPIED) {
    const p = join(root, name);
    if (!existsSync(p)) continue;
    if (statSync(p).isDirectory()) walk(p);
    else out.push(name);
  }
  return out.sort();
}

function sameTree(a: string, b: string): boolean {
  const fa = listFiles(a);
  const fb = listFiles(b);
  if (fa.length !== fb.length || fa.some((f, i) => f !== fb[i])) return false;
  return fa.every((f) => readFileSync(join(a, f)).equals(readFileSync(join(b, f))));
}

export function planAppCopy(sourceRoot: string, intercomHome: string): AppCopyPlan {
  if (!existsSync(join(sourceRoot, 'dist', 'cli.js'))) throw new PackageNotBuiltError(sourceRoot);
  const version = packageVersion(sourceRoot);
  const target = appDir(intercomHome, version);
  const base = { source: sourceRoot, target, version, cliPath: join(target, 'dist', 'cli.js') };
  if (resolve(sourceRoot) === resolve(target)) return { ...base, action: 'skip', reason: 'running from the installed copy' };
  if (!existsSync(target)) return { ...base, action: 'create', reason: `copy claude-intercom ${version} (dist/, templates/, package.json)` };
  if (sameTree(sourceRoot, target)) return { ...base, action: 'skip', reason: 'already installed, identical' };
  return { ...base, action: 'update', reason: `replace the installed copy of ${version} (its files differ)` };
}

function mkdirPrivate(dir: string): void {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  }
}

function chmodDirs(root: string): void {
  chmodSync(root, 0o700);
  for (const e of readdirSync(root, { withFileTypes: true })) if (e.isDirectory()) chmodDirs(join(root, e.name));
}

/** Copy to a temp folder beside the target, then rename it into place. */
export function applyAppCopy(plan: AppCopyPlan): void {
  if (plan.action === 'skip') return;
  const parent = dirname(plan.target);
  mkdirPrivate(dirname(parent));
  mkdirPrivate(parent);
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = join(parent, `.tmp-${plan.version}-${tag}`);
  try {
    mkdirSync(tmp, { mode: 0o700 });
    for (const name of COPIED) {
      const from = join(plan.source, name);
      if (existsSync(from)) cpSync(from, join(tmp, name), { recursive: true });
    }
    chmodDirs(tmp);
    if (existsSync(plan.target)) {
      const old = join(parent, `.old-${plan.version}-${tag}`);
      renameSync(plan.target, old);
      renameSync(tmp, plan.target);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(tmp, plan.target);
    }
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
