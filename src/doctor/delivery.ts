/** Doctor checks for the delivery paths: which path each live session uses, and mcp_tool hooks vs the Claude Code version. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { compareVersions } from '../claude/delivery-path.js';
import { MCP_TOOL_HOOKS_MIN_VERSION, isMcpToolHook } from '../claude/hook-spec.js';
import { isSameProcessAlive } from '../os/proc.js';
import { tildify } from '../install/paths.js';
import { checkPrivateDir } from '../store/fs/fs-util.js';
import { openLocalStore, type IntercomStore } from '../store/index.js';
import { findInstalls } from './configs.js';
import { failure, ok, warning, type CheckResult, type DoctorEnv } from './types.js';

/** Per live session: the inbox socket or the hooks, and why (as its serve recorded it). */
export async function checkDeliveryPaths(env: DoctorEnv): Promise<CheckResult> {
  const title = 'Delivery path per session';
  const home = env.user.intercomHome;
  if (!existsSync(join(home, 'sessions'))) return ok('delivery-paths', title, 'No sessions have registered yet.');
  let store: IntercomStore;
  try {
    checkPrivateDir(home);
    store = openLocalStore(home);
  } catch (err) {
    return warning('delivery-paths', title, `Could not open the store: ${(err as Error).message}`, 'Fix the store check above first.');
  }
  const live = await store.sessions();
  if (live.length === 0) return ok('delivery-paths', title, 'No live sessions.');
  const lines: string[] = [];
  const stale: string[] = [];
  for (const s of live) {
    const d = await store.deliveryPath(s.code);
    if (!d) {
      lines.push(`${s.code}: hooks (its serve recorded no path: an older claude-intercom, or Claude Code has not finished connecting)`);
    } else if (d.path === 'socket' && !isSameProcessAlive(d.pid, d.pidStart)) {
      stale.push(s.code);
      lines.push(`${s.code}: hooks (the serve that posted into its inbox socket, pid ${d.pid}, is gone; its next Stop starts a watcher)`);
    } else {
      lines.push(`${s.code}: ${d.path === 'socket' ? 'inbox socket' : 'hooks'} (${d.reason})`);
    }
  }
  if (stale.length) {
    return warning('delivery-paths', title, lines.join('\n'), `Restart the Claude Code session(s) ${stale.join(', ')} (or run /mcp and reconnect intercom) so their serve posts again.`);
  }
  return ok('delivery-paths', title, lines.join('\n'));
}

/**
 * An `mcp_tool` hook in a settings file read by a Claude Code older than 2.1.118 makes it ignore
 * every hook of that file: our watcher too, and the user's own hooks.
 */
export async function checkMcpToolHooks(env: DoctorEnv): Promise<CheckResult> {
  const title = 'mcp_tool hooks and the Claude Code version';
  const withMcpTool = findInstalls(env).flatMap((s) => s.hooks).filter((h) => isMcpToolHook(h.value));
  if (withMcpTool.length === 0) return ok('mcp-tool-hooks', title, 'None installed (the busy path runs as command hooks).');
  const r = await env.exec('claude', ['--version'], { env: env.ctx.env, cwd: env.ctx.cwd, timeoutMs: 15_000 });
  const v = /(\d+\.\d+\.\d+)/.exec(r.stdout)?.[1];
  const files = [...new Set(withMcpTool.map((h) => tildify(h.file, env.ctx.homeDir)))].join(', ');
  if (!v) {
    return warning('mcp-tool-hooks', title, `${files} hold mcp_tool hooks, and the Claude Code version is unknown (\`claude --version\` failed).`, `Before ${MCP_TOOL_HOOKS_MIN_VERSION}, Claude Code ignores every hook of such a file. Run \`claude-intercom install --yes\` where \`claude --version\` works: it writes what that version supports.`);
  }
  if (compareVersions(v, MCP_TOOL_HOOKS_MIN_VERSION) < 0) {
    return failure('mcp-tool-hooks', title, `Claude Code ${v} does not know mcp_tool hooks, and so ignores EVERY hook in ${files} (yours too).`, 'Run: claude-intercom install --yes  (it writes command hooks for this version), or update Claude Code.');
  }
  return ok('mcp-tool-hooks', title, `${withMcpTool.length} mcp_tool hooks (no process per tool call); Claude Code ${v} knows them (>= ${MCP_TOOL_HOOKS_MIN_VERSION})`);
}
