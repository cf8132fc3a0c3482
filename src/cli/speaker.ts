import { userInfo } from 'node:os';
import type { Context } from '../core/context.js';
import type { Speaker } from '../core/intercom.js';
import { resolveProject } from '../core/project.js';
import { humanAddress } from '../core/validate.js';

/** A person at the terminal, speaking from the project of their working folder. */
export function humanSpeaker(ctx: Pick<Context, 'env' | 'cwd'>): Speaker & { kind: 'human' } {
  let name = ctx.env.USER || ctx.env.LOGNAME || ctx.env.USERNAME || '';
  if (!name) {
    try {
      name = userInfo().username;
    } catch {
      name = 'user';
    }
  }
  const project = resolveProject(ctx.cwd);
  return { kind: 'human', address: humanAddress(name), projectRoot: project.root, projectName: project.name, ...(project.id ? { projectId: project.id } : {}) };
}
