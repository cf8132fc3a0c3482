import { connect } from 'node:net';

/**
 * Claude Code's per-session inbox socket (2.1.224 and later): a Unix socket at
 * `$CLAUDE_CODE_MESSAGING_SOCKET` that Claude Code documents for scripts and hooks posting into
 * their session. One line `{"type":"user","message":{"role":"user","content":TEXT}}` starts a
 * turn when the session is idle and arrives between tool calls when it is busy; the model reads
 * "Another Claude session sent a message: TEXT …" and the pane shows TEXT (checked on the real
 * binary by test/e2e/inbox-socket-facts.test.ts).
 *
 * The connection is opened only when the line is ready (Claude Code closes idle ones after 30 s)
 * and closed right after it. On Linux no auth line is needed; the token line is sent when Claude
 * Code gave one, as its docs describe, since it costs nothing and a version may come to require it.
 */

export class InboxPostError extends Error {
  constructor(
    message: string,
    /** errno-style code (`ECONNREFUSED`, `ENOENT`, `ETIMEDOUT`, …). */
    readonly code: string,
  ) {
    super(message);
    this.name = 'InboxPostError';
  }
}

export function inboxLine(text: string): string {
  return `${JSON.stringify({ type: 'user', message: { role: 'user', content: text } })}\n`;
}

/**
 * Post one user message into the socket. Resolves once the whole line was handed to the kernel and
 * the connection closed cleanly; rejects (nothing posted, or not known to be) otherwise.
 */
export function postToInbox(socketPath: string, text: string, opts: { token?: string; timeoutMs?: number } = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const payload = (opts.token ? `${JSON.stringify({ type: 'auth', token: opts.token })}\n` : '') + inboxLine(text);
  return new Promise((resolve, reject) => {
    let settled = false;
    const sock = connect(socketPath);
    const fail = (err: Error & { code?: string }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      reject(err instanceof InboxPostError ? err : new InboxPostError(`posting to ${socketPath} failed: ${err.message}`, err.code ?? 'EIO'));
    };
    const timer = setTimeout(() => fail(new InboxPostError(`posting to ${socketPath} timed out after ${timeoutMs} ms`, 'ETIMEDOUT')), timeoutMs);
    sock.once('error', fail);
    sock.once('connect', () => {
      sock.end(payload, () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve();
      });
    });
  });
}
