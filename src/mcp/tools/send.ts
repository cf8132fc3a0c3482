import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { displayText } from '../../core/framing.js';
import type { ToolContext } from '../context.js';
import { fail, ok } from '../render.js';

export function registerSend(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'send',
    {
      title: 'Send a message to another session',
      description:
        'Send a message to another Claude Code session by its 4-character code (from `who`), or to "all" for every ' +
        'other live session of your project. It reaches that session whether it is busy or idle. Use it to announce ' +
        'work on shared files, to ask or hand over something; keep it short and specific. To answer a message you ' +
        'received, use `reply` instead. Returns the message id.',
      inputSchema: {
        to: z.string().describe('A session code such as "k3x9" (see `who`), or "all"'),
        message: z.string().describe('The text, at most 16 KiB'),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    async ({ to, message }) => {
      try {
        const me = await ctx.me();
        const { message: sent, recipients } = await ctx.intercom.send({ kind: 'session', session: me }, to, message);
        const where = sent.to === 'all' ? `all ${recipients.length} other session(s) of project ${displayText(me.projectName)}: ${recipients.join(', ')}` : sent.to;
        return ok(`Sent message ${sent.id} to ${where}.`);
      } catch (err) {
        return fail(err);
      }
    },
  );
}
