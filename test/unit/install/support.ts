/** Temp worlds for installer tests: a HOME, a project, an intercom home and a fake package. */
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Context } from '../../../src/core/context.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'configs');

export interface World {
  root: string;
  home: string;
  project: string;
  intercomHome: string;
  pkg: string;
  ctx: Context;
  out: () => string;
  cleanup: () => void;
}

/** A package root like the published one: package.json, dist/cli.js, templates/. */
export function fakePackage(dir: string, version = '0.1.0', cliBody = `console.log(${JSON.stringify(version)});\n`): string {
  mkdirSync(join(dir, 'dist'), { recursive: true });
  mkdirSync(join(dir, 'templates', 'skill'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'claude-intercom', version, type: 'module' }, null, 2)}\n`);
  writeFileSync(join(dir, 'dist', 'cli.js'), cliBody);
  writeFileSync(join(dir, 'dist', 'chunk-abc.js'), 'export const x = 1;\n');
  writeFileSync(join(dir, 'dist', 'hook.cjs'), 'process.exit(0);\n');
  cpSync(join(REPO_ROOT, 'templates', 'skill', 'SKILL.md'), join(dir, 'templates', 'skill', 'SKILL.md'));
  return dir;
}

export function makeWorld(opts: { fixture?: string; env?: Record<string, string>; version?: string } = {}): World {
  const root = mkdtempSync(join(tmpdir(), 'ci-install-'));
  const home = join(root, 'home');
  const project = join(root, 'project');
  const intercomHome = join(root, 'intercom');
  mkdirSync(home, { recursive: true });
  mkdirSync(project, { recursive: true });
  if (opts.fixture) {
    const src = join(FIXTURES, opts.fixture);
    for (const part of ['home', 'project']) if (existsSync(join(src, part))) cpSync(join(src, part), join(root, part), { recursive: true });
  }
  const pkg = fakePackage(join(root, 'pkg'), opts.version);
  let buf = '';
  const stdout = new PassThrough();
  stdout.on('data', (d: Buffer) => (buf += d.toString()));
  const ctx: Context = {
    env: { PATH: process.env.PATH ?? '', CLAUDE_INTERCOM_HOME: intercomHome, ...opts.env },
    cwd: project,
    homeDir: home,
    now: () => Date.UTC(2025, 0, 2, 3, 4, 5),
    stdin: new PassThrough(),
    stdout,
    stderr: new PassThrough(),
    pid: process.pid,
    ppid: process.ppid,
  };
  return { root, home, project, intercomHome, pkg, ctx, out: () => buf, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Every file (bytes) and folder under `dir`, by relative path. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      const st = lstatSync(p);
      const rel = relative(dir, p);
      if (st.isDirectory()) {
        out.set(`${rel}/`, `dir ${(st.mode & 0o777).toString(8)}`);
        walk(p);
      } else {
        out.set(rel, `${(st.mode & 0o777).toString(8)} ${readFileSync(p).toString('base64')}`);
      }
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

export function read(path: string): string {
  return readFileSync(path, 'utf8');
}

export const NODE = '/usr/local/bin/node';
