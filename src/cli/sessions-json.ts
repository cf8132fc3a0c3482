import type { Presence } from '../core/types.js';

/** The stable JSON shape of a session for `who --json` and doctor. */
export function sessionJson(s: Presence, me?: string): Record<string, unknown> {
  return {
    code: s.code,
    you: s.code === me,
    project: s.projectName,
    projectRoot: s.projectRoot,
    cwd: s.cwd,
    ...(s.machine ? { machine: s.machine } : {}),
    ...(s.projectId ? { projectId: s.projectId } : {}),
    pid: s.pid,
    serverPid: s.serverPid,
    startedAt: new Date(s.startedAt).toISOString(),
    lastActiveAt: new Date(s.lastActiveAt).toISOString(),
  };
}
