import { realpathSync } from 'node:fs';
import { basename } from 'node:path';
import { findCheckout, projectRootOf } from './checkout.js';

/**
 * The project a folder belongs to: its git repository (every worktree of one repository is one
 * project, rooted at the main worktree), else the folder itself.
 */
export function resolveProject(cwd: string): { root: string; name: string } {
  let start: string;
  try {
    start = realpathSync(cwd);
  } catch {
    start = cwd;
  }
  const checkout = findCheckout(start);
  const root = checkout.gitDir ? projectRootOf(checkout) : start;
  return { root, name: basename(root).replace(/\.git$/, '') || root };
}
