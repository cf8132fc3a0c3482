import { readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/**
 * Where a file really is, and which checkout of which repository holds it: without running git (a
 * process per edit would cost more than the hook itself), by reading what `git rev-parse` reads.
 */

export interface Checkout {
  /** The worktree's root folder (realpath), or the file's own folder outside git. */
  worktree: string;
  /** `git rev-parse --git-common-dir`, absolute and resolved: the same for every worktree of a repository. */
  gitCommonDir?: string;
  /** The git dir of this worktree (`.git`, or `.git/worktrees/<name>` for a linked worktree). */
  gitDir?: string;
  branch?: string;
}

export interface EditTarget extends Checkout {
  /** The file, absolute, symlinks and `..` resolved as the kernel resolves them. */
  path: string;
  /** `path` relative to `worktree`, `/`-separated. */
  relPath: string;
}

/** Longest path we look at: longer ones cannot be opened on Linux or macOS anyway. */
const MAX_PATH = 4096;

/**
 * The real path of `raw` (relative to `cwd` when not absolute). A file that does not exist yet is
 * the real path of its nearest existing folder plus the rest of the name, so a Write that creates
 * a file through a symlinked folder is the same file as an Edit through its real path.
 * Undefined for what is not a usable path (empty, NUL, too long, unreadable), and for a `..` after
 * a symlink: the kernel reads it as the link target's parent, a program that tidies the path first
 * as the link's own parent, and which file the tool will really touch cannot be known from here.
 * Better no warning than a warning about the wrong file.
 */
export function realFilePath(raw: unknown, cwd: string): string | undefined {
  if (typeof raw !== 'string' || raw === '' || raw.includes('\0') || raw.length > MAX_PATH) return undefined;
  const abs = isAbsolute(raw) ? raw : `${cwd}${sep}${raw}`;
  const asKernel = realOf(abs);
  if (!abs.split(/[\\/]/).includes('..')) return asKernel;
  return realOf(resolve(abs)) === asKernel ? asKernel : undefined;
}

function realOf(abs: string): string | undefined {
  let cur = abs;
  const tail: string[] = [];
  for (let depth = 0; depth < 1024; depth++) {
    try {
      const real = realpathSync.native(cur);
      return tail.length === 0 ? real : join(real, ...tail.reverse());
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return undefined;
      const up = dirname(cur);
      if (up === cur) return undefined;
      tail.push(basename(cur));
      cur = up;
    }
  }
  return undefined;
}

function isDir(p: string): boolean | undefined {
  try {
    const st = statSync(p, { throwIfNoEntry: false });
    return st === undefined ? undefined : st.isDirectory();
  } catch {
    return undefined; // ENOTDIR, EACCES, ELOOP...: not a checkout marker we can use
  }
}

function readTrimmed(p: string): string | undefined {
  try {
    return readFileSync(p, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function real(p: string): string {
  try {
    return realpathSync.native(p);
  } catch {
    return resolve(p);
  }
}

/** The checkout holding folder `dir` (a real path): the nearest `.git` above it, as git finds it. */
export function findCheckout(dir: string): Checkout {
  for (let cur = dir, depth = 0; depth < 256; depth++) {
    const dotGit = join(cur, '.git');
    const kind = isDir(dotGit);
    if (kind === true) {
      const gitDir = real(dotGit);
      return { worktree: cur, gitDir, gitCommonDir: commonDirOf(gitDir), ...branchOf(gitDir) };
    }
    if (kind === false) {
      // A linked worktree or a submodule: `.git` is a file `gitdir: <path>`.
      const m = /^gitdir:\s*(.+)$/m.exec(readTrimmed(dotGit) ?? '');
      if (m) {
        const gitDir = real(resolve(cur, m[1]!.trim()));
        return { worktree: cur, gitDir, gitCommonDir: commonDirOf(gitDir), ...branchOf(gitDir) };
      }
    }
    const up = dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  return { worktree: dir };
}

/** `<gitdir>/commondir` names the shared repository (linked worktrees); otherwise the git dir is it. */
function commonDirOf(gitDir: string): string {
  const rel = readTrimmed(join(gitDir, 'commondir'));
  return rel ? real(resolve(gitDir, rel)) : gitDir;
}

function branchOf(gitDir: string): { branch?: string } {
  const head = readTrimmed(join(gitDir, 'HEAD'));
  if (!head) return {};
  const ref = /^ref:\s*refs\/heads\/(.+)$/.exec(head);
  if (ref) return { branch: ref[1]! };
  return /^[0-9a-f]{40,64}$/.test(head) ? { branch: `detached at ${head.slice(0, 12)}` } : {};
}

/**
 * The file an edit tool is about to touch, with its checkout; undefined when it is no usable path.
 * Outside git, a file under the session's folder `cwd` belongs to that folder (as `reserve` sees
 * it), so reservations and relative paths work in plain folders too.
 */
export function resolveEditTarget(raw: unknown, cwd: string): EditTarget | undefined {
  const path = realFilePath(raw, cwd);
  if (path === undefined) return undefined;
  let checkout = findCheckout(dirname(path));
  if (!checkout.gitDir) {
    const root = real(cwd);
    const under = relative(root, path);
    if (under !== '' && !under.startsWith('..') && !isAbsolute(under)) checkout = { worktree: root };
  }
  const relPath = relative(checkout.worktree, path).split(sep).join('/');
  return { ...checkout, path, relPath };
}

/**
 * The project a checkout belongs to: worktrees of one repository are one project, named after the
 * main worktree (the folder holding the common `.git`), or after the bare repository.
 */
export function projectRootOf(c: Checkout): string {
  if (!c.gitCommonDir || c.gitCommonDir === c.gitDir) return c.worktree;
  return basename(c.gitCommonDir) === '.git' ? dirname(c.gitCommonDir) : c.gitCommonDir;
}
