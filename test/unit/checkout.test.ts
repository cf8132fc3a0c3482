import { execFileSync } from 'node:child_process';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCheckout, realFilePath, resolveEditTarget } from '../../src/core/checkout.js';
import { resolveProject } from '../../src/core/project.js';
import { tempDir } from '../support/temp.js';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, encoding: 'utf8' }).trim();
}

/** A repository with one commit, a linked worktree on another branch, and a symlink into it. */
function repoWithWorktree() {
  const root = realpathSync(tempDir('ci-co-'));
  const main = join(root, 'main');
  mkdirSync(join(main, 'src'), { recursive: true });
  git(root, 'init', '-q', '-b', 'trunk', main);
  writeFileSync(join(main, 'src', 'a.ts'), 'a\n');
  git(main, 'add', '.');
  git(main, 'commit', '-qm', 'one');
  const wt = join(root, 'wt');
  git(main, 'worktree', 'add', '-q', '-b', 'feature', wt);
  symlinkSync(join(main, 'src'), join(root, 'link-to-src'));
  return { root, main, wt };
}

describe('realFilePath', () => {
  it('resolves symlinks and .., also for files not yet written; refuses to guess where the two readings of .. differ', () => {
    const { root, main } = repoWithWorktree();
    const a = join(main, 'src', 'a.ts');
    expect(realFilePath(join(root, 'link-to-src', 'a.ts'), '/')).toBe(a);
    expect(realFilePath(`${main}/src/../src/a.ts`, '/')).toBe(a);
    expect(realFilePath(`${main}/src/nothing/../a.ts`, '/')).toBe(a);
    // After a symlink, `..` is the link target's parent for the kernel, the link's parent for a
    // program that tidies paths first: two different files, so no answer at all.
    writeFileSync(join(root, 'src-decoy.ts'), '');
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'src', 'a.ts'), 'decoy');
    expect(realFilePath(`${root}/link-to-src/../src/a.ts`, '/')).toBeUndefined();
    // A new file through the link is the same new file as through its real folder.
    expect(realFilePath(join(root, 'link-to-src', 'new', 'deep.ts'), '/')).toBe(join(main, 'src', 'new', 'deep.ts'));
    // Relative to the given folder.
    expect(realFilePath('src/a.ts', main)).toBe(a);
  });

  it('gives up, rather than guess, on what is no usable path', () => {
    expect(realFilePath('', '/')).toBeUndefined();
    expect(realFilePath('a\u0000b', '/')).toBeUndefined();
    expect(realFilePath(42, '/')).toBeUndefined();
    expect(realFilePath(`/${'x'.repeat(5000)}`, '/')).toBeUndefined();
    // Long but not absurd: a name over NAME_MAX cannot exist; no exception, no match with anything real.
    const long = realFilePath(`/tmp/${'y'.repeat(300)}/f.ts`, '/');
    expect(long === undefined || long.endsWith('/f.ts')).toBe(true);
  });
});

describe('findCheckout', () => {
  it('agrees with git rev-parse on worktree root, common dir and branch, in both worktrees', () => {
    const { main, wt } = repoWithWorktree();
    for (const [dir, branch] of [
      [main, 'trunk'],
      [wt, 'feature'],
    ] as const) {
      const c = findCheckout(join(dir, 'src'));
      expect(c.worktree).toBe(realpathSync(git(join(dir, 'src'), 'rev-parse', '--show-toplevel')));
      expect(c.gitCommonDir).toBe(realpathSync(resolve(dir, 'src', git(join(dir, 'src'), 'rev-parse', '--git-common-dir'))));
      expect(c.branch).toBe(branch);
    }
    expect(findCheckout(join(main, 'src')).gitCommonDir).toBe(findCheckout(wt).gitCommonDir);
  });

  it('a detached head, and a folder outside git', () => {
    const { main } = repoWithWorktree();
    git(main, 'checkout', '-q', '--detach');
    expect(findCheckout(main).branch).toMatch(/^detached at [0-9a-f]{12}$/);
    const plain = realpathSync(tempDir('ci-plain-'));
    expect(findCheckout(plain)).toEqual({ worktree: plain });
  });

  it('worktrees of one repository are one project; their files keep their own checkout', () => {
    const { main, wt } = repoWithWorktree();
    expect(resolveProject(wt)).toEqual({ root: main, name: 'main' });
    expect(resolveProject(join(main, 'src'))).toEqual({ root: main, name: 'main' });
    const t = resolveEditTarget(join(wt, 'src', 'a.ts'), '/')!;
    expect(t).toMatchObject({ worktree: wt, relPath: 'src/a.ts', branch: 'feature' });
  });
});
