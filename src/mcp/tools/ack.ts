import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { fail, ok } from '../render.js';

export function registerAck(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'ack',
    {
      title: 'Acknowledge a message',
      description: 'Mark one message as handled, so `peek` stops showing it. (`reply` acknowledges by itself.)',
      inputSchema: { message_id: z.string().describe('The id of the message') },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ message_id }) => {
      try {
        await ctx.intercom.ack((await ctx.me()).code, message_id);
        return ok(`Acknowledged ${message_id}.`);
      } catch (err) {
        return fail(err);
      }
    },
  );
}

export function registerAckAll(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'ack_all',
    {
      title: 'Acknowledge all messages',
      description: 'Mark every message you have received as handled.',
      inputSchema: {},
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async () => {
      try {
        const n = await ctx.intercom.ackAll((await ctx.me()).code);
        return ok(`Acknowledged ${n} message(s).`);
      } catch (err) {
        return fail(err);
      }
    },
  );
}
