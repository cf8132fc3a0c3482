/**
 * Run the real Claude Code against the mock API, isolated in a sandbox: its own HOME (with the
 * onboarding keys that keep it from prompting or reaching the internet), its own project dir and
 * intercom store, and its own tmux server. `cleanup()` kills everything the sandbox started, found
 * by a marker variable in the environment that every descendant inherits, even orphans.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allProcs, isAlive, killQuietly, waitForExit } from './procs.js';

/** The repository: found upwards from this file, or from the cwd when this file was bundled elsewhere. */
export const REPO_ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url))) ?? findRepoRoot(process.cwd()) ?? process.cwd();
export const CLAUDE_BIN = join(REPO_ROOT, 'node_modules/.bin/claude');
/** The built CLI under test; CLAUDE_INTERCOM_E2E_CLI points at another build (e.g. an installed copy). */
export const CLI_JS = process.env.CLAUDE_INTERCOM_E2E_CLI ?? join(REPO_ROOT, 'dist/cli.js');
/** Any key works against the mock; Claude Code remembers approval by its last 20 characters. */
export const API_KEY = 'sk-ant-test-e2e-0123456789abcdefghijklmn';
const MARKER = 'CLAUDE_INTERCOM_E2E_SANDBOX';

export interface SandboxOptions {
  /** Base URL of the mock API. */
  apiUrl: string;
  /** Name prefix for the temp dir (shows in ps). */
  name?: string;
  /** `git init` the project dir (default true). */
  git?: boolean;
}

export interface StartOptions {
  /** Extra CLI arguments, e.g. ['--name', 'alice']. */
  args?: string[];
  env?: Record<string, string>;
  /** Defaults to a fresh UUID; every request of the session carries it in x-claude-code-session-id. */
  sessionId?: string;
  /** Time to wait for the input box. */
  readyTimeoutMs?: number;
  /** Start in this folder instead of the sandbox's project (it must be trusted in writeClaudeJson). */
  cwd?: string;
}

export interface PrintResult {
  /** The claude process. */
  pid: number;
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

const sandboxes = new Set<Sandbox>();
let exitHandler = false;

/** Kill everything every sandbox started (for afterAll, or a script's signal handler). */
export async function cleanupAllSandboxes(): Promise<void> {
  for (const s of [...sandboxes]) await s.cleanup();
}

/** Last resort when the process exits without cleaning up (a crash, a test runner timeout): synchronous. */
function killOnExit(): void {
  if (exitHandler) return;
  exitHandler = true;
  process.once('exit', () => {
    for (const s of sandboxes) {
      try {
        s.tmux(['kill-server']);
      } catch {
        // no server
      }
      for (const p of s.processes()) killQuietly(p.pid, 'SIGKILL');
    }
  });
}

export class Sandbox {
  readonly root: string;
  readonly home: string;
  readonly project: string;
  readonly intercomHome: string;
  readonly tmp: string;
  readonly apiUrl: string;
  readonly tmuxSocket: string;
  readonly sessions: ClaudeSession[] = [];
  private cleaned = false;

  constructor(opts: SandboxOptions) {
    this.apiUrl = opts.apiUrl;
    this.root = mkdtempSync(join(tmpdir(), `ci-e2e-${opts.name ?? 'sbx'}-`));
    this.home = join(this.root, 'home');
    this.project = join(this.root, 'project');
    this.intercomHome = join(this.root, 'intercom');
    this.tmp = join(this.root, 'tmp');
    for (const d of [this.home, this.project, this.tmp, join(this.home, '.claude')]) mkdirSync(d, { recursive: true });
    // The store refuses a directory other users can read; it exists up front so tests can watch it.
    mkdirSync(this.intercomHome, { mode: 0o700 });
    if (opts.git !== false) execFileSync('git', ['init', '-q', this.project], { stdio: 'ignore' });
    this.tmuxSocket = `ci-e2e-${process.pid}-${this.root.slice(-6)}`;
    this.writeClaudeJson({});
    sandboxes.add(this);
    killOnExit();
  }

  /** `$HOME/.claude.json`: onboarding done, our key approved, the project trusted, plus `extra`. */
  writeClaudeJson(extra: Record<string, unknown>): void {
    const doc = {
      hasCompletedOnboarding: true,
      customApiKeyResponses: { approved: [API_KEY.slice(-20)], rejected: [] },
      projects: { [this.project]: { hasTrustDialogAccepted: true } },
      ...extra,
    };
    writeFileSync(join(this.home, '.claude.json'), JSON.stringify(doc, null, 2) + '\n');
  }

  /** `$HOME/.claude/settings.json`. */
  writeUserSettings(settings: Record<string, unknown>): void {
    writeFileSync(join(this.home, '.claude', 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
  }

  /** The environment every Claude Code process of this sandbox starts with (nothing inherited). */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: this.home,
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
      SHELL: '/bin/bash',
      // Claude Code keeps sockets (e.g. tmp/cc-socks, for its built-in messaging) under TMPDIR: one
      // per sandbox keeps sessions of different sandboxes, and the developer's own, apart.
      TMPDIR: this.tmp,
      ANTHROPIC_BASE_URL: this.apiUrl,
      ANTHROPIC_API_KEY: API_KEY,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      CLAUDE_INTERCOM_HOME: this.intercomHome,
      [MARKER]: this.root,
      ...extra,
    };
  }

  tmux(args: string[]): string {
    return execFileSync('tmux', ['-L', this.tmuxSocket, '-f', '/dev/null', ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  /** Start an interactive Claude Code in a new tmux session and wait for its input box. */
  async start(name: string, opts: StartOptions = {}): Promise<ClaudeSession> {
    const sessionId = opts.sessionId ?? randomUUID();
    const env = this.env(opts.env);
    const argv = [CLAUDE_BIN, '--session-id', sessionId, ...(opts.args ?? [])];
    // `exec` so that the pane's process IS claude: #{pane_pid} is the claude pid.
    const cmd = `exec env -i ${Object.entries(env)
      .map(([k, v]) => shq(`${k}=${v}`))
      .join(' ')} ${argv.map(shq).join(' ')}`;
    this.tmux(['new-session', '-d', '-s', name, '-x', '200', '-y', '50', '-c', opts.cwd ?? this.project, cmd]);
    const pid = Number(this.tmux(['display-message', '-p', '-t', name, '#{pane_pid}']).trim());
    const session = new ClaudeSession(this, name, pid, sessionId);
    this.sessions.push(session);
    await session.waitReady(opts.readyTimeoutMs ?? 30_000);
    return session;
  }

  /** `claude -p PROMPT` in the project dir, to completion. */
  print(prompt: string, opts: { args?: string[]; env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {}): Promise<PrintResult> {
    const start = performance.now();
    return new Promise((resolvePromise, reject) => {
      const child = spawn(CLAUDE_BIN, ['-p', prompt, ...(opts.args ?? [])], {
        cwd: opts.cwd ?? this.project,
        env: this.env(opts.env),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`claude -p did not finish in ${opts.timeoutMs ?? 120_000} ms; stdout=${stdout} stderr=${stderr}`));
      }, opts.timeoutMs ?? 120_000);
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolvePromise({ pid: child.pid ?? -1, code, stdout, stderr, ms: performance.now() - start });
      });
    });
  }

  /** Every live process started by this sandbox (claude, hooks, MCP servers, orphans). */
  processes(): ReturnType<typeof allProcs> {
    return allProcs().filter((p) => p.env[MARKER] === this.root);
  }

  /** Kill the tmux server and every process carrying this sandbox's marker, then remove its files. */
  async cleanup(): Promise<void> {
    if (this.cleaned) return;
    this.cleaned = true;
    sandboxes.delete(this);
    try {
      this.tmux(['kill-server']);
    } catch {
      // no server (never started, or already gone)
    }
    rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, this.tmuxSocket), { force: true });
    for (let round = 0; round < 3; round++) {
      const left = this.processes();
      if (left.length === 0) break;
      for (const p of left) killQuietly(p.pid, 'SIGKILL');
      await Promise.all(left.map((p) => waitForExit(p.pid, 2_000).catch(() => undefined)));
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}

export class ClaudeSession {
  constructor(
    readonly sandbox: Sandbox,
    readonly name: string,
    /** The claude process (the tmux pane's process). */
    readonly pid: number,
    /** Sent by Claude Code in every request as x-claude-code-session-id (until /clear). */
    readonly sessionId: string,
  ) {}

  capture(): string {
    return this.sandbox.tmux(['capture-pane', '-p', '-t', this.name]);
  }

  /**
   * Poll the screen every 100 ms until `test` passes. Only for what has no event: the TUI being
   * ready for input, and typed text being echoed. Requests are awaited on the mock instead.
   */
  async waitForScreen(test: (screen: string) => boolean, timeoutMs: number, what: string): Promise<string> {
    const deadline = performance.now() + timeoutMs;
    let screen = '';
    for (;;) {
      if (!isAlive(this.pid)) throw new Error(`claude (${this.name}, pid ${this.pid}) exited while waiting for ${what}; last screen:\n${screen}`);
      screen = this.capture();
      if (test(screen)) return screen;
      if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} in ${this.name}; screen:\n${screen}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * The input box is drawn: a rule (with the session name in it, under --name), then a line
   * starting with "❯" in column 0 (dialogs indent
   * their "❯" choice marker).
   */
  async waitReady(timeoutMs: number): Promise<void> {
    await this.waitForScreen((s) => /^─{20,}[^\n]*\n❯/m.test(s), timeoutMs, 'the input box');
  }

  /** Type a prompt and press Enter, once the text is echoed (keys sent earlier can be lost). */
  async submit(text: string): Promise<void> {
    this.sandbox.tmux(['send-keys', '-t', this.name, '-l', text]);
    const probe = text.slice(0, 40);
    await this.waitForScreen((s) => s.replace(/\s+/g, ' ').includes(probe), 10_000, `the typed text "${probe}"`);
    this.sandbox.tmux(['send-keys', '-t', this.name, 'Enter']);
  }

  /** `/exit`, then wait for the claude process to end. */
  async exit(timeoutMs = 15_000): Promise<void> {
    this.sandbox.tmux(['send-keys', '-t', this.name, '-l', '/exit']);
    await this.waitForScreen((s) => s.includes('/exit'), 5_000, 'the typed /exit');
    this.sandbox.tmux(['send-keys', '-t', this.name, 'Enter']);
    await waitForExit(this.pid, timeoutMs);
  }

  /**
   * This session's `claude-intercom watch` processes: command line runs `<dist>/... watch` and the
   * hook environment says CLAUDE_PID = this claude (orphans included, whatever their parent).
   */
  watchers(): ReturnType<typeof allProcs> {
    return this.sandbox.processes().filter((p) => isWatcher(p.argv) && p.env.CLAUDE_PID === String(this.pid));
  }
}

/**
 * A `claude-intercom watch` process: node running one of the CLI's entry files (`cli.js`, or the
 * hot-path `hook.cjs`, wherever the installer copied them) with `watch`. The `/bin/sh -c` wrapper
 * Claude Code puts around a hook holds the whole command in one argument, so it never matches.
 */
export function isWatcher(argv: string[]): boolean {
  const i = argv.findIndex((a) => /\/(cli\.js|hook\.cjs)$/.test(a));
  return i >= 0 && argv[i + 1] === 'watch';
}

function findRepoRoot(from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      if (readJson<{ name?: string }>(join(dir, 'package.json')).name === 'claude-intercom') return dir;
    } catch {
      // no package.json here
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** Quote for /bin/sh. */
export function shq(s: string): string {
  return /^[A-Za-z0-9_\/.,:@%+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}


/** On failure, append the sessions' screens to the error: what the TUI showed explains most hangs. */
export async function withScreens<T>(promise: Promise<T>, sessions: ClaudeSession[]): Promise<T> {
  try {
    return await promise;
  } catch (err) {
    const screens = sessions
      .map((s) => {
        let screen: string;
        try {
          screen = s.capture().replace(/\n{3,}/g, '\n\n');
        } catch {
          screen = '(no screen: tmux session gone)';
        }
        return `--- screen of ${s.name} (pid ${s.pid}) ---\n${screen}`;
      })
      .join('\n');
    if (err instanceof Error) err.message += `\n${screens}`;
    throw err;
  }
}
