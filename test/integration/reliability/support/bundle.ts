import { spawn, type ChildProcess } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll } from 'vitest';
import { ROOT, onCleanup } from '../../../support/temp.js';

export const HOOK_CJS = join(ROOT, 'dist/hook.cjs');

let built: string | undefined;
let builtDir: string | undefined;
// Each test file imports this module afresh: its bundle goes when the file is done.
afterAll(() => {
  if (builtDir) rmSync(builtDir, { recursive: true, force: true });
  built = builtDir = undefined;
});

/** worker.ts bundled once per test process into a plain .mjs (the real src/ code inside). */
export function workerScript(): string {
  if (built) return built;
  const dir = mkdtempSync(join(tmpdir(), 'ci-rel-worker-'));
  builtDir = dir;
  const outfile = join(dir, 'worker.mjs');
  buildSync({
    entryPoints: [join(import.meta.dirname, 'worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'error',
  });
  built = outfile;
  return outfile;
}

export interface Proc {
  child: ChildProcess & { pid: number };
  stdout: () => string;
  stderr: () => string;
  /** Resolves on 'exit' with the code and signal (output may still be flushing: use `closed`). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves on 'close': the process has exited and its pipes are drained. */
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** Resolves once stdout holds `needle`. */
  waitFor(needle: string): Promise<void>;
}

export function spawnNode(args: string[], env: Record<string, string> = {}, stdin?: string): Proc {
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not spawn ${args.join(' ')}`);
  onCleanup(() => child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => (stdout += d));
  child.stderr!.on('data', (d: string) => (stderr += d));
  child.stdin!.on('error', () => undefined); // EPIPE from a process we killed
  if (stdin !== undefined) child.stdin!.end(stdin);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return {
    child: child as ChildProcess & { pid: number },
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    closed,
    waitFor: (needle) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (stdout.includes(needle)) {
            child.stdout!.off('data', check);
            child.off('exit', gone);
            resolve();
          }
        };
        const gone = (): void => reject(new Error(`exited before writing ${needle}: ${stderr}`));
        child.stdout!.on('data', check);
        child.once('exit', gone);
        check();
      }),
  };
}

export function spawnWorker(mode: string, args: string[], stdin?: string): Proc {
  return spawnNode([workerScript(), mode, ...args], {}, stdin);
}

/** The last JSON line a worker printed. */
export function lastJson<T>(stdout: string): T {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as T;
}

export interface Entry {
  path: string;
  type: 'dir' | 'file' | 'link' | 'other';
  mode: number;
  size: number;
  mtimeMs: number;
  uid: number;
}

/** Every entry under `root` (lstat: links are not followed), skipping the subtrees in `skip`. */
export function walk(root: string, skip: readonly string[] = []): Entry[] {
  const out: Entry[] = [];
  const visit = (path: string): void => {
    if (skip.includes(path)) return;
    const st = lstatSync(path);
    const type = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'link' : 'other';
    out.push({ path, type, mode: st.mode & 0o7777, size: st.size, mtimeMs: st.mtimeMs, uid: st.uid });
    if (type === 'dir') for (const name of readdirSync(path).sort()) visit(join(path, name));
  };
  visit(root);
  return out;
}

/** A listing for before/after comparison: names, types, sizes, mtimes. */
export function snapshot(root: string, skip: readonly string[] = []): string[] {
  return walk(root, skip).map((e) => `${e.path} ${e.type} ${e.size} ${e.mtimeMs}`);
}
