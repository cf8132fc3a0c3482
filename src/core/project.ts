import { readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { findCheckout, projectRootOf } from './checkout.js';

/**
 * The project a folder belongs to: its git repository (every worktree of one repository is one
 * project, rooted at the main worktree), else the folder itself. `id`, when the repository has an
 * `origin`, is that URL normalised: the same repository cloned on two machines is one project (for
 * `who` and `all` across machines). Without a remote there is no id, and the project stays per
 * machine (its root).
 */
export function resolveProject(cwd: string): { root: string; name: string; id?: string } {
  let start: string;
  try {
    start = realpathSync(cwd);
  } catch {
    start = cwd;
  }
  const checkout = findCheckout(start);
  if (!checkout.gitDir) return { root: start, name: basename(start) || start };
  const root = projectRootOf(checkout);
  const id = checkout.gitCommonDir ? originOf(checkout.gitCommonDir) : undefined;
  return { root, name: basename(root).replace(/\.git$/, '') || root, ...(id ? { id } : {}) };
}

/** The normalised `origin` URL of the repository rooted at `root`, read from its config (no `git` spawned). */
export function originId(root: string): string | undefined {
  try {
    return originOf(gitCommonDir(root));
  } catch {
    return undefined;
  }
}

/** The normalised `origin` URL from the config in a repository's common git dir. */
function originOf(commonDir: string): string | undefined {
  try {
    const url = remoteUrl(readFileSync(join(commonDir, 'config'), 'utf8'), 'origin');
    return url ? normaliseRemote(url) : undefined;
  } catch {
    return undefined;
  }
}

/** The folder holding the repository's config: `.git`, or for a worktree/submodule what `.git` points at (and its commondir). */
function gitCommonDir(root: string): string {
  const dotGit = join(root, '.git');
  if (statSync(dotGit).isDirectory()) return dotGit;
  const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'));
  if (!m) return dotGit;
  const gitDir = resolve(root, m[1]!.trim());
  try {
    const common = readFileSync(join(gitDir, 'commondir'), 'utf8').trim();
    return isAbsolute(common) ? common : resolve(gitDir, common);
  } catch {
    return gitDir;
  }
}

function remoteUrl(config: string, remote: string): string | undefined {
  let inRemote = false;
  for (const raw of config.split(/\r?\n/)) {
    const line = raw.trim();
    const section = /^\[\s*([^\s\]]+)(?:\s+"([^"]*)")?\s*\]$/.exec(line);
    if (section) {
      inRemote = section[1]!.toLowerCase() === 'remote' && section[2] === remote;
      continue;
    }
    const kv = /^url\s*=\s*(.+)$/i.exec(line);
    if (inRemote && kv) return kv[1]!.trim().replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

/**
 * One spelling per repository: `git@github.com:Org/Repo.git`, `https://user@github.com/Org/Repo`
 * and `ssh://git@github.com:22/Org/Repo.git/` all become `github.com/Org/Repo`. The host is
 * case-insensitive, the path is not (servers differ); credentials and ports never take part.
 */
export function normaliseRemote(url: string): string | undefined {
  let host: string;
  let path: string;
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+)$/.exec(url);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    try {
      const u = new URL(url);
      if (u.protocol === 'file:') return undefined; // a local path is no identity across machines
      host = u.hostname;
      path = decodeURIComponent(u.pathname);
    } catch {
      return undefined;
    }
  } else if (scp) {
    host = scp[1]!;
    path = scp[2]!;
  } else {
    return undefined; // a local path
  }
  path = path.replace(/\/+$/, '').replace(/\.git$/, '').replace(/^\/+/, '');
  if (host === '' || path === '') return undefined;
  return `${host.toLowerCase()}/${path}`;
}
