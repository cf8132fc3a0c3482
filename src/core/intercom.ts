import { NotFoundError, InvalidInputError } from './errors.js';
import { displayText } from './framing.js';
import { newMessageId } from './ids.js';
import type { IntercomStore } from '../store/store.js';
import type { InboxEntry, Message, Presence } from './types.js';
import {
  BROADCAST,
  assertCode,
  assertMessageId,
  assertMessageText,
  assertRecipient,
  isHumanAddress,
} from './validate.js';

/** At most this many messages in one `peek`: a large inbox must not flood the model's context. */
export const PEEK_LIMIT = 50;

/** Who is speaking: a live session, or a person on the command line. */
export type Speaker =
  | { kind: 'session'; session: Presence }
  | { kind: 'human'; address: string; projectRoot: string; projectName: string; projectId?: string };

export interface SendResult {
  message: Message;
  /** Session codes the message was delivered to (empty for a message to a person). */
  recipients: string[];
}

/**
 * The rules of the intercom, apart from any transport: who may be addressed, what a broadcast
 * reaches, what a reply answers. The MCP tools and the CLI commands are thin shells around this.
 */
export class Intercom {
  constructor(
    readonly store: IntercomStore,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Live sessions: of one project, or all. A project is its root on this machine, and on every
   * machine its `projectId` (the normalised origin URL) when it has one.
   */
  async who(scope: 'project' | 'all', projectRoot: string, projectId?: string): Promise<Presence[]> {
    const all = await this.store.sessions();
    return scope === 'all' ? all : all.filter((s) => inProject(s, projectRoot, projectId));
  }

  async send(from: Speaker, toRaw: unknown, textRaw: unknown, replyTo?: string): Promise<SendResult> {
    const to = assertRecipient(toRaw);
    const text = assertMessageText(textRaw);
    const me = from.kind === 'session' ? from.session.code : undefined;
    const projectRoot = from.kind === 'session' ? from.session.projectRoot : from.projectRoot;
    const projectName = from.kind === 'session' ? from.session.projectName : from.projectName;
    const projectId = from.kind === 'session' ? from.session.projectId : from.projectId;

    let recipients: string[];
    if (to === BROADCAST) {
      recipients = (await this.who('project', projectRoot, projectId))
        .map((s) => s.code)
        .filter((c) => c !== me);
      if (recipients.length === 0) {
        throw new NotFoundError(
          `No other live session in project ${displayText(projectName)} to broadcast to.`,
          await this.liveCodesHint(me),
        );
      }
    } else if (isHumanAddress(to)) {
      recipients = [];
    } else {
      if (to === me) throw new InvalidInputError(`${to} is your own code.`, await this.liveCodesHint(me));
      if (!(await this.store.session(to))) {
        throw new NotFoundError(`No live session has the code ${to}.`, await this.liveCodesHint(me));
      }
      recipients = [to];
    }

    const message: Message = {
      id: newMessageId(this.now()),
      from: me ?? (from.kind === 'human' ? from.address : 'unknown'),
      to,
      text,
      sentAt: this.now(),
      fromProject: projectName,
      ...(replyTo ? { replyTo } : {}),
    };
    await this.store.deliver(message, recipients);
    if (me) await this.store.touch(me);
    return { message, recipients };
  }

  /** Answer the sender of `messageId`, keep the thread, and acknowledge the original. */
  async reply(from: Speaker, messageIdRaw: unknown, textRaw: unknown): Promise<SendResult & { original: Message }> {
    const id = assertMessageId(messageIdRaw);
    const me = from.kind === 'session' ? from.session.code : undefined;
    const original = (me ? await this.store.inboxEntry(me, id) : undefined) ?? (await this.store.message(id));
    if (!original) {
      throw new NotFoundError(`No message with id ${id}.`, 'Run `peek` to see your messages and their ids.');
    }
    if (original.from === me) throw new InvalidInputError(`Message ${id} is your own.`);
    if (me && original.to !== me && original.to !== BROADCAST) {
      throw new InvalidInputError(`Message ${id} was not sent to you (it went to ${original.to}).`, 'Reply only to messages you received.');
    }
    if (!isHumanAddress(original.from) && !(await this.store.session(original.from))) {
      throw new NotFoundError(
        `Session ${original.from}, which sent ${id}, has ended; the reply cannot be delivered.`,
        await this.liveCodesHint(me),
      );
    }
    const result = await this.send(from, original.from, textRaw, id);
    if (me) await this.store.ack(me, id);
    return { ...result, original };
  }

  /**
   * The oldest unacknowledged messages, at most `limit`. Unread ones among them are marked shown:
   * the caller is about to see them. The rest stay where they are (see `unacknowledged`).
   */
  async peek(code: string, limit = PEEK_LIMIT): Promise<InboxEntry[]> {
    assertCode(code);
    const page = await this.store.inbox(code, limit);
    // The unread ones of the page are the oldest unread ones: claim exactly that many.
    const unread = page.filter((e) => e.state === 'unread').length;
    if (unread > 0) await this.store.claim(code, unread);
    return page.map((e) => ({ ...e, state: 'shown' as const }));
  }

  /** How many messages `code` has not acknowledged (shown or not). */
  async unacknowledged(code: string): Promise<number> {
    assertCode(code);
    return this.store.inboxSize(code);
  }

  async ack(code: string, messageIdRaw: unknown): Promise<void> {
    const id = assertMessageId(messageIdRaw);
    if (!(await this.store.ack(code, id))) {
      throw new NotFoundError(`You have no unacknowledged message ${id}.`, 'Run `peek` to see your messages and their ids.');
    }
  }

  async ackAll(code: string): Promise<number> {
    return this.store.ackAll(code);
  }

  private async liveCodesHint(me?: string): Promise<string> {
    const live = (await this.store.sessions()).filter((s) => s.code !== me);
    if (live.length === 0) return 'No other session is live right now.';
    return `Live sessions: ${live.map((s) => `${s.code} (${displayText(s.projectName)})`).join(', ')}.`;
  }
}

/** Same project: the same root on this machine, or the same repository identity on any machine. */
export function inProject(s: Presence, projectRoot: string, projectId: string | undefined): boolean {
  if (projectId !== undefined && s.projectId === projectId) return true;
  // A root means something on its own machine only (a remote session's /home/me/app is another folder).
  return s.machine === undefined && s.projectRoot === projectRoot;
}
