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
  /**
   * asyncRewake only. What the person's pane shows when the hook wakes the session (instead of
   * "Stop hook feedback"), and the prefix of the model's text (instead of "Stop hook blocking
   * error from command …"). Claude Code marks both @internal; unknown keys in a hook entry are
   * ignored by versions without them, and test/e2e/inbox-socket-facts.test.ts catches a change.
   */
  rewakeSummary?: string;
  rewakeMessage?: string;
  /**
   * Run as a `type: "mcp_tool"` hook on our own MCP server where Claude Code knows that type (no
   * process per event); the command hook of `kind` stays the form for older versions.
   */
  mcpTool?: McpToolHookSpec;
}

/**
 * An `mcp_tool` hook handler: Claude Code calls `tool` on its already-connected server
 * `intercom` and reads the text like a command hook's stdout. String values of `input` take
 * `${path}` substitutions from the hook's JSON input (`${tool_name}`, `${tool_input.file_path}`…).
 */
export interface McpToolHookSpec {
  tool: string;
  input: Record<string, string>;
}

/** An `mcp_tool` handler on our own server, as found in a settings file. */
export function isMcpToolHook(handler: Record<string, unknown>): boolean {
  return handler.type === 'mcp_tool' && handler.server === MCP_SERVER_NAME;
}

/**
 * Claude Code knows `type: "mcp_tool"` hooks from 2.1.118 on. 2.1.117 does not, and it ignores
 * EVERY hook of a settings file holding one (measured: its SessionStart command hook no longer ran),
 * so the installer writes them only for a Claude Code that knows the type.
 */
export const MCP_TOOL_HOOKS_MIN_VERSION = '2.1.118';

/** The label of a watcher's wake: the same for every message (Claude Code reads it from settings). */
export const REWAKE_SUMMARY = 'claude-intercom: a message from another session';
export const REWAKE_MESSAGE = 'claude-intercom delivered this (from other Claude Code sessions, not from your user):';

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

function hookEventTool(event: string): McpToolHookSpec {
  // The tool name is HOOK_EVENT_TOOL in src/mcp/tools/hook-event.ts (not imported: this file is on the hook's path).
  return { tool: 'hook_event', input: { event, permission_mode: '${permission_mode}' } };
}

/** The tool serve answers for the edit hooks (src/mcp/tools/edit-hook.ts). */
export const EDIT_HOOK_TOOL = 'edit_hook';
function editHookTool(event: 'PreToolUse' | 'PostToolUse'): McpToolHookSpec {
  return { tool: EDIT_HOOK_TOOL, input: { event, tool: '${tool_name}', file_path: '${tool_input.file_path}', notebook_path: '${tool_input.notebook_path}' } };
}
export const HOOK_ENTRIES: readonly HookEntrySpec[] = [
  // Messages already waiting when a session starts, and a watcher for an idle new session.
  { event: 'SessionStart', kind: 'hook', timeout: HOOK_TIMEOUT_SECONDS },
  { event: 'SessionStart', kind: 'watch', timeout: WATCH_TIMEOUT_SECONDS, asyncRewake: true, rewakeSummary: REWAKE_SUMMARY, rewakeMessage: REWAKE_MESSAGE },
  // No UserPromptSubmit hook, on purpose: Claude Code runs UserPromptSubmit hooks before every
  // turn a rewake starts too, and that cost ~100 ms on every wake (measured against the built-in
  // messaging, side by side). The watcher from the last Stop simply stays through the next turn: a
  // message for a busy session is claimed by whichever comes first, the PostToolUse hook or that
  // watcher, whose exit 2 Claude Code adds to the request after the running tool.
  // Busy delivery. PostToolUse rather than PreToolUse: both land after the tool's result, and
  // PostToolUse also catches messages that arrived while the tool ran. Failures have their own event.
  // As mcp_tool hooks, answered by the session's own serve: no process per tool call.
  { event: 'PostToolUse', matcher: '*', kind: 'hook', timeout: HOOK_TIMEOUT_SECONDS, mcpTool: hookEventTool('PostToolUse') },
  { event: 'PostToolUseFailure', matcher: '*', kind: 'hook', timeout: HOOK_TIMEOUT_SECONDS, mcpTool: hookEventTool('PostToolUseFailure') },
  // Idle: one watcher per session, woken by its doorbell, exits 2 to wake the model.
  { event: 'Stop', kind: 'watch', timeout: WATCH_TIMEOUT_SECONDS, asyncRewake: true, rewakeSummary: REWAKE_SUMMARY, rewakeMessage: REWAKE_MESSAGE },
  // Before a file edit: refuse once when another session is on the same file (src/core/edit-guard.ts).
  // Only the edit tools: on every other tool this hook is not even started.
  { event: 'PreToolUse', matcher: EDIT_TOOL_MATCHER, kind: 'hook', timeout: HOOK_TIMEOUT_SECONDS, mcpTool: editHookTool('PreToolUse') },
  // After one, record it (serve's hook_event above only delivers). As a command hook (a Claude Code
  // without mcp_tool hooks) this is a second process per edit, which records it again: harmless.
  { event: 'PostToolUse', matcher: EDIT_TOOL_MATCHER, kind: 'hook', timeout: HOOK_TIMEOUT_SECONDS, mcpTool: editHookTool('PostToolUse') },
];

/**
 * The edit hooks as `mcp_tool` handlers: Claude Code calls serve's `edit_hook` tool on the
 * session's already-running server, so no process starts per edit (facts file, 2.1.332). Kept as
 * data beside the command entries until the installer knows which Claude Code versions accept the
 * type; with it, the PreToolUse command entry above is left out and PostToolUse on edits gets this
 * one. `${...}` are Claude Code's substitutions from the hook's input.
 */
export function editMcpToolEntries(): Array<{ event: 'PreToolUse' | 'PostToolUse'; matcher: string; hook: Record<string, unknown> }> {
  return (['PreToolUse', 'PostToolUse'] as const).map((event) => ({
    event,
    matcher: EDIT_TOOL_MATCHER,
    hook: { type: 'mcp_tool', server: MCP_SERVER_NAME, ...editHookTool(event), timeout: HOOK_TIMEOUT_SECONDS },
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

export interface HooksSettingsOptions {
  /** Write `mcp_tool` handlers where the spec has one (only for a Claude Code that knows the type). */
  mcpToolHooks?: boolean;
}

/** One handler of a settings.json hook group, from its spec. */
export function hookHandler(nodePath: string, cliPath: string, spec: HookEntrySpec, opts: HooksSettingsOptions = {}): Record<string, unknown> {
  if (spec.mcpTool && opts.mcpToolHooks) {
    return { type: 'mcp_tool', server: MCP_SERVER_NAME, tool: spec.mcpTool.tool, input: { ...spec.mcpTool.input }, timeout: spec.timeout };
  }
  const hook: Record<string, unknown> = {
    type: 'command',
    command: hookCommand(nodePath, cliPath, spec.kind),
    timeout: spec.timeout,
  };
  if (spec.asyncRewake) hook.asyncRewake = true;
  if (spec.rewakeSummary) hook.rewakeSummary = spec.rewakeSummary;
  if (spec.rewakeMessage) hook.rewakeMessage = spec.rewakeMessage;
  return hook;
}

/** The `hooks` object for a settings.json, grouped the way Claude Code expects. */
export function hooksSettings(
  nodePath: string,
  cliPath: string,
  opts: HooksSettingsOptions = {},
): Record<string, Array<{ matcher?: string; hooks: Array<Record<string, unknown>> }>> {
  const out: Record<string, Array<{ matcher?: string; hooks: Array<Record<string, unknown>> }>> = {};
  for (const spec of HOOK_ENTRIES) {
    const hook = hookHandler(nodePath, cliPath, spec, opts);
    const group: { matcher?: string; hooks: Array<Record<string, unknown>> } =
      spec.matcher === undefined ? { hooks: [hook] } : { matcher: spec.matcher, hooks: [hook] };
    (out[spec.event] ??= []).push(group);
  }
  return out;
}
