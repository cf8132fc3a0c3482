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
    // Getters, not values: touching process.stdin makes fd 0 non-blocking (and builds a stream),
    // and then the hook's blocking read of its JSON fails with EAGAIN whenever Claude Code has not
    // written it yet. The hot paths never touch these; other commands get them on first use.
    get stdin() {
      return process.stdin;
    },
    get stdout() {
      return process.stdout;
    },
    get stderr() {
      return process.stderr;
    },
    pid: process.pid,
    ppid: process.ppid,
    ...overrides,
  };
}
