import { execFileSync } from 'node:child_process';
import type { Context } from '../core/context.js';
import { compareVersions } from '../claude/delivery-path.js';
import { MCP_TOOL_HOOKS_MIN_VERSION } from '../claude/hook-spec.js';

/** `claude --version` of the Claude Code on PATH (what the user runs), or undefined when there is none. */
export function detectClaudeVersion(ctx: Pick<Context, 'env' | 'cwd'>): string | undefined {
  try {
    const out = execFileSync('claude', ['--version'], { env: ctx.env, cwd: ctx.cwd, encoding: 'utf8', timeout: 15_000, stdio: ['ignore', 'pipe', 'ignore'] });
    return /(\d+\.\d+\.\d+)/.exec(out)?.[1];
  } catch {
    return undefined;
  }
}

/**
 * Write `mcp_tool` hooks only for a Claude Code that knows them: an older one ignores every hook of
 * the settings file that holds one. Unknown version: the command hooks, which every version runs.
 */
export function supportsMcpToolHooks(version: string | undefined): boolean {
  return version !== undefined && compareVersions(version, MCP_TOOL_HOOKS_MIN_VERSION) >= 0;
}
