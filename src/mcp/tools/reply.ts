import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { fail, ok } from '../render.js';

export function registerReply(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'reply',
    {
      title: 'Reply to a message',
      description:
        'Answer a message you received from another session (or a person on the intercom) by its message id. ' +
        'The answer goes to its sender, keeps the thread, and acknowledges the original. This is how to answer ' +
        'intercom messages: do not use Claude Code\'s built-in SendMessage for them.',
      inputSchema: {
        message_id: z.string().describe('The id of the message you answer (from the message header or `peek`)'),
        message: z.string().describe('Your answer, at most 16 KiB'),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    async ({ message_id, message }) => {
      try {
        const { message: sent, original } = await ctx.intercom.reply({ kind: 'session', session: await ctx.me() }, message_id, message);
        return ok(`Sent reply ${sent.id} to ${original.from} (answering ${original.id}, now acknowledged).`);
      } catch (err) {
        return fail(err);
      }
    },
  );
}
