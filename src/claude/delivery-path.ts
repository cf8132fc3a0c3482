import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Which way messages reach a session: posted into Claude Code's inbox socket (the primary path),
 * or the hooks (PostToolUse context while busy, the asyncRewake watcher while idle). The socket is
 * used only where Claude Code delivers a post from its own child at once; everywhere it would drop
 * or hold one, the hooks deliver. The decision is pure (`decideDeliveryPath`); `gatherPathFacts`
 * reads what it needs (env, Claude Code's command line, the settings scopes Claude Code reads).
 */

/** Claude Code binds the inbox socket from this version on. */
export const INBOX_SOCKET_MIN_VERSION = '2.1.224';

export interface PathFacts {
  /** `CLAUDE_CODE_MESSAGING_SOCKET` as the session's MCP server got it (absent in bare mode and before 2.1.224). */
  socketPath: string | undefined;
  /** The socket file is there and is a socket. */
  socketExists: boolean;
  /** Claude Code's version, from the MCP `initialize` request (clientInfo). */
  claudeVersion: string | undefined;
  /** `claude -p` / the SDK: nobody waits at a prompt, and a post after the last turn would be lost. */
  printMode: boolean;
  /** Every `crossSessionInbound` value found, with the file (or flag) it came from. */
  crossSessionInbound: Array<{ value: unknown; source: string }>;
  /** The session started bypassing permission prompts (flag or `permissions.defaultMode`), and where that was found. */
  bypassPermissions: string | undefined;
}

export type PathDecision = { path: 'socket' | 'hooks'; reason: string };

export function decideDeliveryPath(f: PathFacts): PathDecision {
  const hooks = (reason: string): PathDecision => ({ path: 'hooks', reason });
  if (f.printMode) return hooks('print mode (claude -p): the Stop hook delivers before the run ends');
  if (!f.claudeVersion) return hooks('Claude Code did not say its version');
  if (compareVersions(f.claudeVersion, INBOX_SOCKET_MIN_VERSION) < 0) {
    return hooks(`Claude Code ${f.claudeVersion} has no inbox socket (needs ${INBOX_SOCKET_MIN_VERSION} or later)`);
  }
  if (!f.socketPath) return hooks('no CLAUDE_CODE_MESSAGING_SOCKET (bare mode binds no inbox socket)');
  if (!f.socketExists) return hooks(`the inbox socket ${f.socketPath} is missing`);
  // Any value other than `accept` (hold, refuse, or one Claude Code does not know, which it treats
  // as hold) would park or drop our post.
  const blocking = f.crossSessionInbound.find((c) => c.value !== 'accept');
  if (blocking) return hooks(`crossSessionInbound is ${JSON.stringify(blocking.value)} in ${blocking.source}`);
  // Unset, Claude Code holds a post that asserts no permission class while the session bypasses
  // permissions; an explicit `accept` wins over that.
  const accepted = f.crossSessionInbound.length > 0;
  if (f.bypassPermissions && !accepted) {
    return hooks(`the session bypasses permissions (${f.bypassPermissions}), which holds posted messages`);
  }
  return { path: 'socket', reason: `Claude Code ${f.claudeVersion} inbox socket` };
}

/** Compare dotted numeric versions (`2.1.332`); a pre-release or build suffix is ignored. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string): number[] => v.replace(/[-+].*$/, '').split('.').map((x) => Number.parseInt(x, 10) || 0);
  const [x, y] = [parse(a), parse(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

export interface GatherInput {
  env: NodeJS.ProcessEnv;
  homeDir: string;
  /** The Claude Code process (serve's parent). */
  claudePid: number;
  claudeVersion: string | undefined;
  /** The project folder Claude Code runs in (`CLAUDE_PROJECT_DIR`). */
  projectDir: string;
}

/** The settings files Claude Code reads, lowest precedence first (managed last: it wins). */
export function settingsScopes(env: NodeJS.ProcessEnv, homeDir: string, projectDir: string): string[] {
  const configDir = env.CLAUDE_CONFIG_DIR && env.CLAUDE_CONFIG_DIR.trim() !== '' ? env.CLAUDE_CONFIG_DIR : join(homeDir, '.claude');
  const managed =
    process.platform === 'darwin'
      ? '/Library/Application Support/ClaudeCode/managed-settings.json'
      : process.platform === 'win32'
        ? 'C:\\Program Files\\ClaudeCode\\managed-settings.json'
        : '/etc/claude-code/managed-settings.json';
  return [join(configDir, 'settings.json'), join(projectDir, '.claude', 'settings.json'), join(projectDir, '.claude', 'settings.local.json'), managed];
}

export function gatherPathFacts(input: GatherInput): PathFacts {
  const { env } = input;
  const socketPath = env.CLAUDE_CODE_MESSAGING_SOCKET && env.CLAUDE_CODE_MESSAGING_SOCKET !== '' ? env.CLAUDE_CODE_MESSAGING_SOCKET : undefined;
  let socketExists = false;
  if (socketPath) {
    try {
      socketExists = statSync(socketPath).isSocket();
    } catch {
      socketExists = false;
    }
  }
  const argv = claudeArgv(input.claudePid);
  const crossSessionInbound: PathFacts['crossSessionInbound'] = [];
  let bypass: string | undefined;
  const sources: Array<{ settings: Record<string, unknown>; source: string }> = [];
  for (const file of settingsScopes(env, input.homeDir, input.projectDir)) {
    const settings = readStrictJson(file);
    if (settings) sources.push({ settings, source: file });
  }
  const flagSettings = settingsFromArgv(argv);
  if (flagSettings) sources.push(flagSettings);
  for (const { settings, source } of sources) {
    if (Object.hasOwn(settings, 'crossSessionInbound')) crossSessionInbound.push({ value: settings.crossSessionInbound, source });
    const perms = settings.permissions as { defaultMode?: unknown } | undefined;
    if (perms && typeof perms === 'object' && perms.defaultMode === 'bypassPermissions') bypass ??= `permissions.defaultMode in ${source}`;
  }
  if (argv.includes('--dangerously-skip-permissions')) bypass = '--dangerously-skip-permissions';
  const mode = argv.indexOf('--permission-mode');
  if ((mode >= 0 && argv[mode + 1] === 'bypassPermissions') || argv.includes('--permission-mode=bypassPermissions')) bypass = '--permission-mode bypassPermissions';
  return {
    socketPath,
    socketExists,
    claudeVersion: input.claudeVersion,
    printMode: (env.CLAUDE_CODE_ENTRYPOINT ?? '').startsWith('sdk') || argv.includes('-p') || argv.includes('--print'),
    crossSessionInbound,
    bypassPermissions: bypass,
  };
}

/** A settings file as Claude Code reads it: strict JSON object, or nothing (it ignores a broken file). */
function readStrictJson(file: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function claudeArgv(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
  } catch {
    return [];
  }
}

/** `--settings <file or JSON>` on Claude Code's command line. */
function settingsFromArgv(argv: string[]): { settings: Record<string, unknown>; source: string } | undefined {
  let value: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--settings') value = argv[i + 1];
    else if (argv[i]!.startsWith('--settings=')) value = argv[i]!.slice('--settings='.length);
  }
  if (value === undefined) return undefined;
  if (value.trim().startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(value);
      return typeof parsed === 'object' && parsed !== null ? { settings: parsed as Record<string, unknown>, source: '--settings' } : undefined;
    } catch {
      return undefined;
    }
  }
  const settings = readStrictJson(value);
  return settings ? { settings, source: `--settings ${value}` } : undefined;
}
