/**
 * What claude-intercom installs into Claude Code, as data. The installer writes exactly this,
 * doctor checks against it, and the end-to-end tests configure the real Claude Code from it,
 * so the three can never disagree.
 *
 * Timeouts are in SECONDS (Claude Code's unit; the prototype wrote them as milliseconds).
 */

import { EDIT_TOOL_MATCHER } from '../core/edit-tools.js';

/** Which of our subcommands a hook entry runs. */
export type HookCommandKind = 'hook' | 'watch';

export interface HookEntrySpec {
  event: string;
  /** Claude Code's matcher for tool events; undefined means the entry has no matcher key. */
  matcher?: string;
  kind: HookCommandKind;
  timeout: number;
  asyncRewake?: boolean;
}

/**
 * The watcher must stay alive for as long as a session stays idle. Claude Code kills an async
 * hook at its `timeout`; a week keeps an idle session wakeable across a weekend while staying far
 * below the 2^31 ms where JavaScript timers overflow and would fire at once.
 */
export const WATCH_TIMEOUT_SECONDS = 7 * 24 * 60 * 60;
/** The watcher gives up by itself a little before Claude Code would kill it (exit 0, no wake). */
export const WATCH_SELF_TIMEOUT_MS = (WATCH_TIMEOUT_SECONDS - 60) * 1000;
/** The `hook` command answers in milliseconds; this only bounds a wedged file system. */
export const HOOK_TIMEOUT_SECONDS = 10;

export const HOOK_ENTRIES: readonly HookEntrySpec[] = [
  // Messages already waiting when a session starts, and a watcher for an idle new session.
  { event: 'SessionStart', kind: 'hook', timeout: HOOK_TIMEOUT_SECONDS },
  { event: 'SessionStart', kind: 'watch', timeout: WATCH_TIMEOUT_SECONDS, asyncRewake: true },
  // No UserPromptSubmit hook, on purpose: Claude Code runs UserPromptSubmit hooks before every
  // turn a rewake starts too, and that cost ~100 ms on every wake (measured against the built-in
  // messaging, side by side). The watcher from the last Stop simply stays through the next turn: a
  // message for a busy session is claimed by whichever comes first, the PostToolUse hook or that
  // watcher, whose exit 2 Claude Code adds to the request after the running tool.
  // Busy delivery. PostToolUse rather than PreToolUse: both land after the tool's result, and
  // PostToolUse also catches messages that arrived while the tool ran. Failures have their own event.
  { event: 'PostToolUse', matcher: '*', kind: 'hook', timeout: HOOK_TIMEOUT_SECONDS },
  { event: 'PostToolUseFailure', matcher: '*', kind: 'hook', timeout: HOOK_TIMEOUT_SECONDS },
  // Idle: one watcher per session, woken by its doorbell, exits 2 to wake the model.
  { event: 'Stop', kind: 'watch', timeout: WATCH_TIMEOUT_SECONDS, asyncRewake: true },
  // Before a file edit: refuse once when another session is on the same file (src/core/edit-guard.ts).
  // Only the edit tools: on every other tool this hook is not even started. The edit itself is
  // recorded by the PostToolUse hook above, in the same process that delivers messages.
  { event: 'PreToolUse', matcher: EDIT_TOOL_MATCHER, kind: 'hook', timeout: HOOK_TIMEOUT_SECONDS },
];

/**
 * The same edit hooks as `mcp_tool` entries: Claude Code calls serve's `edit_hook` tool on the
 * session's already-running server, so no process starts per edit (facts file, 2.1.332). Kept as
 * data beside the command entries until the installer knows which Claude Code versions accept the
 * type; with it, the PreToolUse command entry above is left out and PostToolUse on edits gets this
 * one. `${...}` are Claude Code's substitutions from the hook's input.
 */
export const EDIT_HOOK_TOOL = 'edit_hook';
export function editMcpToolEntries(): Array<{ event: 'PreToolUse' | 'PostToolUse'; matcher: string; hook: Record<string, unknown> }> {
  return (['PreToolUse', 'PostToolUse'] as const).map((event) => ({
    event,
    matcher: EDIT_TOOL_MATCHER,
    hook: {
      type: 'mcp_tool',
      server: MCP_SERVER_NAME,
    tool: EDIT_HOOK_TOOL,
      input: { event, tool: '${tool_name}', file_path: '${tool_input.file_path}', notebook_path: '${tool_input.notebook_path}' },
      timeout: HOOK_TIMEOUT_SECONDS,
    },
  }));
}

/** The MCP server's name in Claude Code; tools appear to the model as `mcp__intercom__<tool>`. */
export const MCP_SERVER_NAME = 'intercom';

/** Marker that lets install/uninstall/doctor recognise our hook commands, old installs included. */
export const COMMAND_MARKER = 'claude-intercom';

/** Quote one argument for `/bin/sh -c` (Claude Code runs every hook command through sh). */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_\/.,:@%+=-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * The file hook commands run: `hook.cjs` beside `cli.js`, the hot paths bundled as one CommonJS
 * file (no ESM loader, no module graph), because Claude Code runs it after every tool call.
 */
export function hotEntryFor(cliPath: string): string {
  return cliPath.replace(/cli\.js$/, 'hook.cjs');
}

/**
 * The hook command line: the absolute Node.js binary on an installed copy of our hot entry.
 * `exec`, because Claude Code runs it through /bin/sh, and dash would otherwise keep a shell
 * waiting in between: one process less per tool call, and the watcher's exit reaches Claude Code
 * directly.
 */
export function hookCommand(nodePath: string, cliPath: string, kind: HookCommandKind): string {
  return `exec ${[nodePath, hotEntryFor(cliPath), kind].map(shellQuote).join(' ')}`;
}

/** The words of a hook command after a leading `exec` (for tools that read commands back). */
export function withoutExec(words: string[]): string[] {
  return words[0] === 'exec' ? words.slice(1) : words;
}

/** The MCP server entry in the shape `claude mcp add --scope user` writes. */
export function mcpServerEntry(nodePath: string, cliPath: string): {
  type: 'stdio';
  command: string;
  args: string[];
  env: Record<string, string>;
} {
  return { type: 'stdio', command: nodePath, args: [cliPath, 'serve'], env: {} };
}

/** The `hooks` object for a settings.json, grouped the way Claude Code expects. */
export function hooksSettings(
  nodePath: string,
  cliPath: string,
): Record<string, Array<{ matcher?: string; hooks: Array<Record<string, unknown>> }>> {
  const out: Record<string, Array<{ matcher?: string; hooks: Array<Record<string, unknown>> }>> = {};
  for (const spec of HOOK_ENTRIES) {
    const hook: Record<string, unknown> = {
      type: 'command',
      command: hookCommand(nodePath, cliPath, spec.kind),
      timeout: spec.timeout,
    };
    if (spec.asyncRewake) hook.asyncRewake = true;
    const group: { matcher?: string; hooks: Array<Record<string, unknown>> } =
      spec.matcher === undefined ? { hooks: [hook] } : { matcher: spec.matcher, hooks: [hook] };
    (out[spec.event] ??= []).push(group);
  }
  return out;
}
