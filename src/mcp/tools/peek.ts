import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolContext } from '../context.js';
import { fail, ok, renderInbox } from '../render.js';

export function registerPeek(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'peek',
    {
      title: 'Show unacknowledged messages',
      description:
        'Show the messages sent to you that you have not acknowledged yet, oldest first, each with its id, sender ' +
        'and what it replies to. New messages also arrive by themselves; use this to look again, e.g. before ' +
        'finishing a task. Answer with `reply`, then they are acknowledged; or `ack` what needs no answer.',
      inputSchema: {},
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async () => {
      try {
        const me = await ctx.me();
        const entries = await ctx.intercom.peek(me.code);
        if (entries.length === 0) return ok(`No unacknowledged messages for ${me.code}.`);
        const total = Math.max(entries.length, await ctx.intercom.unacknowledged(me.code));
        const head =
          total > entries.length
            ? `${total} unacknowledged message(s) for ${me.code}; the oldest ${entries.length}, oldest first (reply to or ack these, or ack_all, to see the rest):`
            : `${entries.length} unacknowledged message(s) for ${me.code}, oldest first:`;
        return ok(`${head}\n${renderInbox(entries)}`);
      } catch (err) {
        return fail(err);
      }
    },
  );
}
