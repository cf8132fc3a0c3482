import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normaliseRemote, resolveProject } from '../../src/core/project.js';
import { tempDir } from '../support/temp.js';

describe('project identity across machines', () => {
  it('spells one repository one way, whatever the URL form', () => {
    const forms = [
      'git@github.com:Org/Repo.git',
      'https://github.com/Org/Repo',
      'https://user:token@GitHub.com/Org/Repo.git/',
      'ssh://git@github.com:22/Org/Repo.git',
      'git://github.com/Org/Repo',
    ];
    for (const f of forms) expect(normaliseRemote(f), f).toBe('github.com/Org/Repo');
    expect(normaliseRemote('/srv/git/repo.git')).toBeUndefined();
    expect(normaliseRemote('file:///srv/git/repo.git')).toBeUndefined();
    expect(normaliseRemote('../other')).toBeUndefined();
  });

  it('two clones of one remote are one project; without a remote a project has no id', () => {
    const ids: Array<string | undefined> = [];
    for (const url of ['git@github.com:org/app.git', 'https://github.com/org/app']) {
      const root = tempDir();
      mkdirSync(join(root, '.git'));
      writeFileSync(join(root, '.git', 'config'), `[core]\n\tbare = false\n[remote "upstream"]\n\turl = git@x.org:a/b\n[remote "origin"]\n\turl = ${url}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n`);
      mkdirSync(join(root, 'src'));
      ids.push(resolveProject(join(root, 'src')).id);
    }
    expect(ids).toEqual(['github.com/org/app', 'github.com/org/app']);
    const bare = tempDir();
    mkdirSync(join(bare, '.git'));
    writeFileSync(join(bare, '.git', 'config'), '[core]\n\tbare = false\n');
    expect(resolveProject(bare).id).toBeUndefined();
  });

  it('a worktree finds the origin in its common dir', () => {
    const main = tempDir();
    mkdirSync(join(main, '.git', 'worktrees', 'wt'), { recursive: true });
    writeFileSync(join(main, '.git', 'config'), '[remote "origin"]\n\turl = https://gitlab.com/g/p.git\n');
    writeFileSync(join(main, '.git', 'worktrees', 'wt', 'commondir'), '../..\n');
    const wt = tempDir();
    writeFileSync(join(wt, '.git'), `gitdir: ${join(main, '.git', 'worktrees', 'wt')}\n`);
    expect(resolveProject(wt).id).toBe('gitlab.com/g/p');
  });
});
