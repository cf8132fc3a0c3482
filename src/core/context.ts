import { homedir } from 'node:os';

/**
 * Everything external that a command touches, resolved per call (never at module load), so tests
 * run against temp homes and fake streams without mocking modules.
 */
export interface Context {
  env: NodeJS.ProcessEnv;
  cwd: string;
  homeDir: string;
  now: () => number;
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** The current process's pid and parent pid (the MCP server's parent is the Claude Code process). */
  pid: number;
  ppid: number;
}

export function processContext(overrides: Partial<Context> = {}): Context {
  return {
    env: process.env,
    cwd: process.cwd(),
    homeDir: homedir(),
    now: Date.now,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    pid: process.pid,
    ppid: process.ppid,
    ...overrides,
  };
}
