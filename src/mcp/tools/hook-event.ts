import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { deliverToHook } from '../../claude/hook-handler.js';
import { toolPrefix } from '../../claude/tool-names.js';
import type { ToolContext } from '../context.js';
import { fail, ok } from '../render.js';

/** The tool that Claude Code's `mcp_tool` hooks call (see HOOK_ENTRIES); its name is in the settings we install. */
export const HOOK_EVENT_TOOL = 'hook_event';

/**
 * Busy delivery without a process per tool call: Claude Code calls this on its already-connected
 * server after every tool (a PostToolUse `mcp_tool` hook) and reads the text like a command hook's
 * stdout. The model sees the tool in its list too; calling it is harmless (it shows what is unread).
 */
export function registerHookEvent(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    HOOK_EVENT_TOOL,
    {
      title: 'Hook entry point (for Claude Code, not for you)',
      description:
        "Called by claude-intercom's own Claude Code hooks after each tool call, to hand over messages that arrived. " +
        'Do not call it yourself: use `peek` to see your messages.',
      inputSchema: { event: z.string().max(64), permission_mode: z.string().max(64).optional() },
      annotations: { readOnlyHint: false, openWorldHint: false },
    },
    async ({ event, permission_mode }) => {
      try {
        if (permission_mode) ctx.onPermissionMode?.(permission_mode);
        const me = await ctx.me();
        const out = await deliverToHook(ctx.intercom.store, me.code, event, toolPrefix(process.env));
        return ok(out.stdout ?? '');
      } catch (err) {
        return fail(err);
      }
    },
  );
}
