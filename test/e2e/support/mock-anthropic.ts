/**
 * A scripted mock of the Anthropic Messages API for driving the real Claude Code offline.
 *
 * - `POST /v1/messages[?beta=true]` with `tools` is a main request: the per-test responder decides
 *   the reply (text and/or tool_use blocks), streamed as Server-Sent Events when asked to stream.
 * - Requests without `tools` are side queries (titles, summaries): answered with short text.
 * - `POST /v1/messages/count_tokens` answers a token count.
 *
 * Every request is recorded (body, session id header, time received, time the reply finished) and
 * `waitFor` resolves when a matching request arrives: tests synchronise on Claude Code's traffic,
 * never on sleeps.
 */
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ContentBlock {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
  tool_use_id?: string;
  content?: string | ContentBlock[];
  is_error?: boolean;
  [key: string]: unknown;
}

export interface ApiMessage {
  /** Claude Code also sends `system`-role messages inside `messages` (hook context, environment). */
  role: 'user' | 'assistant' | 'system';
  content: string | ContentBlock[];
}

export interface MessagesBody {
  model?: string;
  system?: string | ContentBlock[];
  messages: ApiMessage[];
  tools?: Array<{ name: string; [key: string]: unknown }>;
  stream?: boolean;
  [key: string]: unknown;
}

export interface RecordedRequest {
  /** 0-based position among all requests this mock received. */
  seq: number;
  method: string;
  path: string;
  /** `x-claude-code-session-id` header, when present. */
  sessionId: string | undefined;
  /** `main` (has tools: the model's turn), `side` (no tools), `count_tokens`, or `other`. */
  kind: 'main' | 'side' | 'count_tokens' | 'other';
  body: MessagesBody | undefined;
  /** performance.now() when the request's body was complete. */
  receivedAt: number;
  /** Date.now() at the same moment, to compare with times other processes wrote. */
  receivedWallAt: number;
  /** performance.now() when the reply was fully written (undefined until then). */
  respondedAt?: number;
  /** The reply this mock gave, for main requests. */
  reply?: NormalizedReply;
  /** Set when the responder threw; the mock answers a harmless text instead. */
  responderError?: string;
}

export interface ToolCall {
  name: string;
  input: Record<string, unknown>;
  /** Generated when omitted. */
  id?: string;
}

/** What the scripted model says: plain text, or text and/or tool calls. */
export type Reply = string | { text?: string; tools?: ToolCall[] };

export interface NormalizedReply {
  text: string | undefined;
  tools: Array<Required<ToolCall>>;
  stopReason: 'end_turn' | 'tool_use';
}

export interface ResponderContext {
  mock: MockAnthropic;
  /** Earlier main requests of the same Claude Code session (same session id header). */
  previous: RecordedRequest[];
}

export type Responder = (req: RecordedRequest, ctx: ResponderContext) => Reply | Promise<Reply>;

export interface WaitOptions {
  /** Only consider requests with seq >= since (default 0: requests already received count). */
  since?: number;
  timeoutMs?: number;
  /** Shown in the timeout error. */
  label?: string;
}

let idCounter = 0;
function genId(prefix: string): string {
  idCounter += 1;
  return `${prefix}_${Date.now().toString(36)}${idCounter.toString(36).padStart(6, '0')}`;
}

export function normalizeReply(reply: Reply): NormalizedReply {
  const r = typeof reply === 'string' ? { text: reply } : reply;
  const tools = (r.tools ?? []).map((t) => ({ name: t.name, input: t.input, id: t.id ?? genId('toolu') }));
  return { text: r.text, tools, stopReason: tools.length > 0 ? 'tool_use' : 'end_turn' };
}

/** The SSE events of one assistant message, in the order the real API sends them. */
export function sseEvents(reply: NormalizedReply, model: string): Array<{ event: string; data: unknown }> {
  const events: Array<{ event: string; data: unknown }> = [];
  events.push({
    event: 'message_start',
    data: {
      type: 'message_start',
      message: {
        id: genId('msg'),
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 20, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      },
    },
  });
  let index = 0;
  if (reply.text !== undefined || reply.tools.length === 0) {
    const text = reply.text ?? '';
    events.push({ event: 'content_block_start', data: { type: 'content_block_start', index, content_block: { type: 'text', text: '' } } });
    events.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index, delta: { type: 'text_delta', text } } });
    events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index } });
    index += 1;
  }
  for (const tool of reply.tools) {
    events.push({
      event: 'content_block_start',
      data: { type: 'content_block_start', index, content_block: { type: 'tool_use', id: tool.id, name: tool.name, input: {} } },
    });
    events.push({
      event: 'content_block_delta',
      data: { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(tool.input) } },
    });
    events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index } });
    index += 1;
  }
  events.push({
    event: 'message_delta',
    data: { type: 'message_delta', delta: { stop_reason: reply.stopReason, stop_sequence: null }, usage: { output_tokens: 10 } },
  });
  events.push({ event: 'message_stop', data: { type: 'message_stop' } });
  return events;
}

function nonStreamingMessage(reply: NormalizedReply, model: string): unknown {
  const content: unknown[] = [];
  if (reply.text !== undefined || reply.tools.length === 0) content.push({ type: 'text', text: reply.text ?? '' });
  for (const t of reply.tools) content.push({ type: 'tool_use', id: t.id, name: t.name, input: t.input });
  return {
    id: genId('msg'),
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: reply.stopReason,
    stop_sequence: null,
    usage: { input_tokens: 20, output_tokens: 10 },
  };
}

export class MockAnthropic {
  readonly requests: RecordedRequest[] = [];
  private readonly events = new EventEmitter();
  private server: Server | undefined;
  private responder: Responder;
  port = 0;

  constructor(responder: Responder = () => 'ok') {
    this.responder = responder;
    this.events.setMaxListeners(100);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Replace the scripted model (takes effect for the next request). */
  setResponder(responder: Responder): void {
    this.responder = responder;
  }

  /** Main requests (the model's turns), optionally of one Claude Code session. */
  mainRequests(sessionId?: string): RecordedRequest[] {
    return this.requests.filter((r) => r.kind === 'main' && (sessionId === undefined || r.sessionId === sessionId));
  }

  /** The seq the next request will get: pass it as `since` to wait only for later requests. */
  get nextSeq(): number {
    return this.requests.length;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * Resolve with the first request (seq >= since) matching the predicate: one already received, or
   * the next one to arrive. Rejects after timeoutMs with a summary of what did arrive.
   */
  waitFor(predicate: (r: RecordedRequest) => boolean, opts: WaitOptions = {}): Promise<RecordedRequest> {
    const since = opts.since ?? 0;
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const found = this.requests.find((r) => r.seq >= since && predicate(r));
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const onRequest = (r: RecordedRequest): void => {
        let hit = false;
        try {
          hit = r.seq >= since && predicate(r);
        } catch (err) {
          cleanup();
          reject(err as Error);
          return;
        }
        if (hit) {
          cleanup();
          resolve(r);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `mock-anthropic: timed out after ${timeoutMs} ms waiting for ${opts.label ?? 'a matching request'}` +
              ` (since seq ${since}); received:\n${this.describe(since)}`,
          ),
        );
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.events.off('request', onRequest);
      };
      this.events.on('request', onRequest);
    });
  }

  /** Resolve when the reply to `req` has been fully written. */
  waitResponded(req: RecordedRequest, timeoutMs = 30_000): Promise<number> {
    if (req.respondedAt !== undefined) return Promise.resolve(req.respondedAt);
    return new Promise((resolve, reject) => {
      const onDone = (r: RecordedRequest): void => {
        if (r === req) {
          cleanup();
          resolve(r.respondedAt!);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`mock-anthropic: reply to request #${req.seq} not finished after ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.events.off('responded', onDone);
      };
      this.events.on('responded', onDone);
    });
  }

  /** One line per request since `since`: for failure messages. */
  describe(since = 0): string {
    return this.requests
      .filter((r) => r.seq >= since)
      .map((r) => {
        const reply = r.reply
          ? ` -> ${r.reply.tools.map((t) => t.name).join(',') || JSON.stringify((r.reply.text ?? '').slice(0, 60))}`
          : '';
        const tail = r.body ? JSON.stringify(newContentText(r.body)).slice(0, 300) : '';
        return `  #${r.seq} ${r.kind} session=${r.sessionId ?? '-'} t=${r.receivedAt.toFixed(0)}${reply} new=${tail}`;
      })
      .join('\n');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    let body: MessagesBody | undefined;
    try {
      body = raw ? (JSON.parse(raw) as MessagesBody) : undefined;
    } catch {
      body = undefined;
    }
    const header = req.headers['x-claude-code-session-id'];
    const kind: RecordedRequest['kind'] =
      req.method === 'POST' && path === '/v1/messages/count_tokens'
        ? 'count_tokens'
        : req.method === 'POST' && path === '/v1/messages' && body
          ? Array.isArray(body.tools) && body.tools.length > 0
            ? 'main'
            : 'side'
          : 'other';
    const record: RecordedRequest = {
      seq: this.requests.length,
      method: req.method ?? 'GET',
      path,
      sessionId: Array.isArray(header) ? header[0] : header,
      kind,
      body,
      receivedAt: performance.now(),
      receivedWallAt: Date.now(),
    };
    this.requests.push(record);

    let reply: NormalizedReply | undefined;
    if (kind === 'main') {
      const previous = this.requests.filter((r) => r !== record && r.kind === 'main' && r.sessionId === record.sessionId);
      try {
        reply = normalizeReply(await this.responder(record, { mock: this, previous }));
      } catch (err) {
        record.responderError = (err as Error).stack ?? String(err);
        reply = normalizeReply('(mock responder error)');
      }
      record.reply = reply;
    } else if (kind === 'side') {
      reply = normalizeReply('Mock title');
    }
    // Listeners see the request once its reply is decided (so they can read `reply`).
    this.events.emit('request', record);

    const finish = (): void => {
      record.respondedAt = performance.now();
      this.events.emit('responded', record);
    };
    if (kind === 'count_tokens') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ input_tokens: 100 }), finish);
      return;
    }
    if (!reply || !body) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: `mock: no route ${path}` } }), finish);
      return;
    }
    const model = body.model ?? 'claude-mock';
    if (body.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      const payload = sseEvents(reply, model)
        .map((e) => `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`)
        .join('');
      res.end(payload, finish);
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(nonStreamingMessage(reply, model)), finish);
    }
  }
}

export async function startMockAnthropic(responder?: Responder): Promise<MockAnthropic> {
  return new MockAnthropic(responder).start();
}

// ---- Reading requests -------------------------------------------------------------------------

/** Text of a block, recursing into tool_result content. */
export function blockText(block: ContentBlock | string): string {
  if (typeof block === 'string') return block;
  if (block.type === 'text' && typeof block.text === 'string') return block.text;
  if (block.type === 'tool_result') {
    const c = block.content;
    if (typeof c === 'string') return c;
    if (Array.isArray(c)) return c.map(blockText).join('\n');
  }
  return '';
}

export function messageText(message: ApiMessage): string {
  if (typeof message.content === 'string') return message.content;
  return message.content.map(blockText).join('\n');
}

/**
 * The text this request adds to the conversation: every message after the last assistant message
 * (tool results, hook context, a typed prompt or a rewake notification). Text that was already
 * in an earlier request is not part of it.
 */
export function newContentText(body: MessagesBody): string {
  const msgs = body.messages;
  let i = msgs.length - 1;
  while (i >= 0 && msgs[i]!.role !== 'assistant') i -= 1;
  return msgs
    .slice(i + 1)
    .map(messageText)
    .join('\n');
}

/** All text of the request: system prompt and every message. */
export function allText(body: MessagesBody): string {
  const system = typeof body.system === 'string' ? body.system : (body.system ?? []).map(blockText).join('\n');
  return [system, ...body.messages.map(messageText)].join('\n');
}

/** The tool_result blocks in the request's new content. */
export function newToolResults(body: MessagesBody): Array<{ toolUseId: string; text: string; isError: boolean }> {
  const msgs = body.messages;
  let i = msgs.length - 1;
  while (i >= 0 && msgs[i]!.role !== 'assistant') i -= 1;
  const out: Array<{ toolUseId: string; text: string; isError: boolean }> = [];
  for (const m of msgs.slice(i + 1)) {
    if (typeof m.content === 'string') continue;
    for (const b of m.content) {
      if (b.type === 'tool_result') out.push({ toolUseId: b.tool_use_id ?? '', text: blockText(b), isError: b.is_error === true });
    }
  }
  return out;
}

/** Text of the request's new content, for main requests; '' otherwise. */
export function newText(r: RecordedRequest): string {
  return r.kind === 'main' && r.body ? newContentText(r.body) : '';
}
