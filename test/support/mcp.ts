import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CLI, FAKE_PARENT, onCleanup } from './temp.js';

export interface Session {
  client: Client;
  transport: StdioClientTransport;
  instructions: string;
  /** Call a tool; returns its text and isError. */
  call(name: string, args?: Record<string, unknown>): Promise<{ text: string; isError: boolean }>;
  close(): Promise<void>;
}

/**
 * The built `serve` behind its own parent process (a stand-in for one Claude Code process),
 * driven by the SDK's real stdio client.
 */
export async function startSession(env: Record<string, string>, cwd: string): Promise<Session> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [FAKE_PARENT, process.execPath, CLI, 'serve'],
    env: { PATH: process.env.PATH ?? '', ...env },
    cwd,
    stderr: 'pipe',
  });
  const client = new Client({ name: 'test-client', version: '1.0.0' });
  await client.connect(transport);
  const close = async () => {
    await client.close().catch(() => undefined);
  };
  onCleanup(() => void close());
  return {
    client,
    transport,
    instructions: client.getInstructions() ?? '',
    close,
    async call(name, args = {}) {
      const res = (await client.callTool({ name, arguments: args })) as { content: Array<{ type: string; text?: string }>; isError?: boolean };
      return { text: res.content.map((c) => c.text ?? '').join('\n'), isError: res.isError === true };
    },
  };
}

export function codeOf(s: Session): string {
  const m = /You are Claude Code session ([a-z0-9]{4})/.exec(s.instructions);
  if (!m) throw new Error(`no code in instructions: ${s.instructions}`);
  return m[1]!;
}
