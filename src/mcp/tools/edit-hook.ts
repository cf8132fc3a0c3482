import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { handleEditEvent } from '../../claude/edit-hook.js';
import { EDIT_HOOK_TOOL } from '../../claude/hook-spec.js';
import type { ToolContext } from '../context.js';
import { ok } from '../render.js';

/**
 * The `mcp_tool` hook's end: Claude Code calls it before and after file edits (see
 * `editMcpToolEntries` in hook-spec.ts) on the session's own server, so no process starts. MCP has
 * no way to hide a tool from the model, so the name and description tell it to leave it alone; a
 * call by the model is harmless (it answers as the hook would, and only records an edit after one).
 * Never an error result: a failing hook must not get in the edit's way.
 */
export function registerEditHook(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    EDIT_HOOK_TOOL,
    {
      title: 'Internal: claude-intercom file-edit hook',
      description: 'Internal to claude-intercom: Claude Code calls this itself around file edits. Do not call it; use `who` to see who edits what.',
      inputSchema: {
        event: z.string().optional(),
        tool: z.string().optional(),
        file_path: z.string().optional(),
        notebook_path: z.string().optional(),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    async ({ event, tool, file_path, notebook_path }) => {
      try {
        const me = await ctx.me();
        const path = file_path && file_path !== '' ? file_path : notebook_path;
        const out = await handleEditEvent(ctx.intercom.store, me, { event: event ?? '', tool, path, cwd: me.cwd }, ctx.now);
        return ok(out ?? '');
      } catch (err) {
        ctx.log?.(`edit_hook: ${err instanceof Error ? err.message : String(err)}`);
        return ok('');
      }
    },
  );
}
