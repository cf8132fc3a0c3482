/** The domain's records. Plain data: every backend stores and returns exactly these shapes. */

/** One live Claude Code session, as registered by its `serve`. */
export interface Presence {
  /** 4 characters [a-z0-9]: the session's address, stable for the session's life (across /clear). */
  code: string;
  /** The Claude Code process that owns the session (the MCP server's parent). */
  pid: number;
  /** That process's start time (opaque, comparable): a reused pid must not pass for this session. */
  pidStart: string;
  /** The `serve` process that registered it. */
  serverPid: number;
  /** Absolute project root (git root, else the working folder) and a display name for it. */
  projectRoot: string;
  projectName: string;
  cwd: string;
  startedAt: number;
  /** Derived from the record's mtime when read; the hook touches it on activity. */
  lastActiveAt: number;
  /** Claude Code's session id when known (changes on /clear; informational only). */
  claudeSessionId?: string;
  /**
   * The project's identity across machines (its normalised `origin` URL), when it has a remote:
   * sessions with the same id are one project wherever their folders are.
   */
  projectId?: string;
  /** The machine the session runs on (set by a networked backend; local sessions leave it out). */
  machine?: string;
}

/** A sender or recipient: a session code, or a person on the command line (`human:<name>`). */
export type Address = string;

export interface Message {
  /** Unique, sorts by send time across processes. */
  id: string;
  from: Address;
  /** The addressee as the sender wrote it: a code, `all`, or `human:<name>`. */
  to: Address;
  text: string;
  /** Id of the message this answers, if any. */
  replyTo?: string;
  sentAt: number;
  /** Display information about the sender at send time. */
  fromProject?: string;
  /** The sender's machine and user, when the message crossed machines (set by the relay). */
  fromMachine?: string;
  fromUser?: string;
}

/** Per recipient a message is unread, then shown (in the model's context), then acknowledged. */
export type DeliveryState = 'unread' | 'shown';

export interface InboxEntry extends Message {
  state: DeliveryState;
}
