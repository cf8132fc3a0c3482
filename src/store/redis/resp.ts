import { type Socket, connect as netConnect } from 'node:net';
import type { ConnectionOptions } from 'node:tls';

/**
 * A small RESP2 client: one connection, commands pipelined in order, replies matched first in first
 * out. Written by hand because a fresh process pays for what it loads: connect + one command costs
 * 1.32 × an empty `node` start with this shape, 2.9 × with ioredis and 6 × with node-redis (issue 14).
 *
 * The socket keeps the process alive only while a reply is awaited: a CLI command that forgets to
 * close its store still exits, and a pending command is never abandoned by an exiting event loop.
 */

export type Reply = string | number | null | Reply[] | RedisReplyError;

/** An error reply from the engine (`-ERR ...`, `-NOPERM ...`). */
export class RedisReplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisReplyError';
  }
  /** The error's kind: ERR, WRONGPASS, NOPERM, NOGROUP, BUSYGROUP... */
  get kind(): string {
    return this.message.split(' ', 1)[0] ?? '';
  }
}

/** The connection failed or was lost; the command may or may not have been applied. */
export class RedisConnectionError extends Error {
  constructor(
    message: string,
    /** No answer at all within the connect timeout (rather than a refusal or a drop). */
    readonly timedOut = false,
  ) {
    super(message);
    this.name = 'RedisConnectionError';
  }
}

export interface RespConnectOptions {
  host: string;
  port: number;
  tls?: boolean;
  /** Extra TLS options (a CA for a test engine); the system's CAs otherwise. */
  tlsOptions?: ConnectionOptions;
  username?: string;
  password?: string;
  db?: number;
  connectTimeoutMs?: number;
}

interface Pending {
  resolve: (r: Reply) => void;
  reject: (e: Error) => void;
}

export class RespClient {
  private readonly pending: Pending[] = [];
  private buf: Buffer = Buffer.alloc(0);
  private closedError: Error | undefined;
  private readonly closeListeners: Array<(err: Error) => void> = [];
  /** Set on a subscriber connection: published messages arrive unasked, beside the replies. */
  onPush: ((msg: Reply[]) => void) | undefined;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    // An engine that vanished without a word (a machine off, a network cut) is noticed, not waited on forever.
    socket.setKeepAlive(true, 10_000);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(new RedisConnectionError(err.message)));
    socket.on('close', () => this.fail(new RedisConnectionError('connection closed')));
    socket.unref();
  }

  /** Connect, authenticate and select the database; any failure closes the socket and throws. */
  static async connect(opts: RespConnectOptions): Promise<RespClient> {
    const socket = await openSocket(opts);
    const client = new RespClient(socket);
    try {
      // An AUTH error must end the connection: a client that went on would silently be `default`.
      if (opts.password !== undefined) {
        await client.call(opts.username ? ['AUTH', opts.username, opts.password] : ['AUTH', opts.password]);
      }
      if (opts.db) await client.call(['SELECT', String(opts.db)]);
    } catch (err) {
      client.close();
      throw err;
    }
    return client;
  }

  private held = false;

  /** Keep the process alive while this connection is open (a subscriber, a blocking reader). */
  hold(): void {
    this.held = true;
    this.socket.ref();
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  onClose(fn: (err: Error) => void): void {
    this.closeListeners.push(fn);
  }

  /** Send one command; resolves with its reply, rejects on an error reply or a lost connection. */
  call(args: ReadonlyArray<string | number>): Promise<Reply> {
    return this.send(args).then((r) => {
      if (r instanceof RedisReplyError) throw r;
      return r;
    });
  }

  /** Send one command; an error reply is returned, not thrown (for pipelines that inspect each). */
  send(args: ReadonlyArray<string | number>): Promise<Reply> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise<Reply>((resolve, reject) => {
      if (this.pending.length === 0 && !this.held) this.socket.ref();
      this.pending.push({ resolve, reject });
      this.socket.write(encode(args));
    });
  }

  close(): void {
    this.fail(new RedisConnectionError('connection closed by the client'));
  }

  private fail(err: Error): void {
    if (this.closedError) return;
    this.closedError = err;
    this.socket.destroy();
    for (const p of this.pending.splice(0)) p.reject(err);
    for (const fn of this.closeListeners.splice(0)) fn(err);
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    let offset = 0;
    for (;;) {
      let parsed: ReturnType<typeof parse>;
      try {
        parsed = parse(this.buf, offset);
      } catch (err) {
        this.fail(err as Error);
        return;
      }
      if (parsed === undefined) break;
      if (this.onPush && isPush(parsed.value)) {
        offset = parsed.next;
        this.onPush(parsed.value as Reply[]);
        continue;
      }
      offset = parsed.next;
      const p = this.pending.shift();
      if (!p) {
        this.fail(new RedisConnectionError('protocol error: a reply nobody asked for'));
        return;
      }
      p.resolve(parsed.value);
    }
    this.buf = offset === this.buf.length ? Buffer.alloc(0) : this.buf.subarray(offset);
    if (this.pending.length === 0 && !this.closedError && !this.held) this.socket.unref();
  }
}

async function openSocket(opts: RespConnectOptions): Promise<Socket> {
  // node:tls only when the URL asks for it: a plain connection does not pay for loading it.
  const tlsConnect = opts.tls ? (await import('node:tls')).connect : undefined;
  return new Promise<Socket>((resolve, reject) => {
    const timeoutMs = opts.connectTimeoutMs ?? 3000;
    const socket: Socket = tlsConnect
      ? tlsConnect({ host: opts.host, port: opts.port, servername: isIp(opts.host) ? undefined : opts.host, ...opts.tlsOptions })
      : netConnect({ host: opts.host, port: opts.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new RedisConnectionError(`no answer from ${opts.host}:${opts.port} within ${timeoutMs} ms`, true));
    }, timeoutMs);
    const onError = (err: Error): void => {
      clearTimeout(timer);
      reject(new RedisConnectionError(err.message));
    };
    socket.once('error', onError);
    socket.once(tlsConnect ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

function isPush(r: Reply): boolean {
  return Array.isArray(r) && (r[0] === 'message' || r[0] === 'pmessage');
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

function encode(args: ReadonlyArray<string | number>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.from(String(a), 'utf8');
    parts.push(Buffer.from(`$${b.length}\r\n`), b, CRLF);
  }
  return Buffer.concat(parts);
}
const CRLF = Buffer.from('\r\n');

/** Parse one reply at `offset`; undefined when the buffer does not hold a whole one yet. */
function parse(buf: Buffer, offset: number): { value: Reply; next: number } | undefined {
  if (offset >= buf.length) return undefined;
  const eol = buf.indexOf(CRLF, offset);
  if (eol < 0) return undefined;
  const type = buf[offset];
  const line = buf.toString('utf8', offset + 1, eol);
  const after = eol + 2;
  switch (type) {
    case 0x2b: // +
      return { value: line, next: after };
    case 0x2d: // -
      return { value: new RedisReplyError(line), next: after };
    case 0x3a: // :
      return { value: Number(line), next: after };
    case 0x24: {
      // $
      const len = Number(line);
      if (len < 0) return { value: null, next: after };
      if (buf.length < after + len + 2) return undefined;
      return { value: buf.toString('utf8', after, after + len), next: after + len + 2 };
    }
    case 0x2a: {
      // *
      const n = Number(line);
      if (n < 0) return { value: null, next: after };
      const items: Reply[] = [];
      let next = after;
      for (let i = 0; i < n; i++) {
        const item = parse(buf, next);
        if (item === undefined) return undefined;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new RedisConnectionError(`protocol error: unexpected reply type ${JSON.stringify(String.fromCharCode(type ?? 0))}`);
  }
}
