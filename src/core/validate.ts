import { InvalidInputError } from './errors.js';
import { escapeJsonControls } from './framing.js';

/**
 * Every code, id and name is checked here before it can reach a path. The patterns are closed
 * (fixed alphabets, fixed lengths), so `../`, `/abs`, NUL or control characters can never pass.
 */

export const CODE_RE = /^[a-z0-9]{4}$/;
export const MESSAGE_ID_RE = /^[0-9a-z]{17}$/;
export const HUMAN_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
export const HUMAN_PREFIX = 'human:';
export const BROADCAST = 'all';
export const MAX_MESSAGE_BYTES = 16 * 1024;

/** Show untrusted input in an error without letting it flood or garble a terminal. */
export function preview(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  const cut = s.length > 40 ? `${s.slice(0, 40)}…` : s;
  // JSON.stringify spells out C0 only: C1 controls and direction overrides are spelled out too.
  return escapeJsonControls(JSON.stringify(cut));
}

export function assertCode(value: unknown, what = 'session code'): string {
  if (typeof value === 'string' && CODE_RE.test(value)) return value;
  throw new InvalidInputError(
    `Invalid ${what} ${preview(value)}: a code is 4 characters, lowercase letters and digits.`,
    'Run `who` to see the codes of the live sessions.',
  );
}

export function assertMessageId(value: unknown): string {
  if (typeof value === 'string' && MESSAGE_ID_RE.test(value)) return value;
  throw new InvalidInputError(
    `Invalid message id ${preview(value)}: an id is 17 lowercase letters and digits.`,
    'Use the id exactly as `peek` or the message header shows it.',
  );
}

export function isHumanAddress(value: string): boolean {
  return value.startsWith(HUMAN_PREFIX) && HUMAN_NAME_RE.test(value.slice(HUMAN_PREFIX.length));
}

export function humanAddress(name: string): string {
  const clean = name.replace(/[^A-Za-z0-9._-]/g, '').replace(/^[._-]+/, '').slice(0, 32);
  return `${HUMAN_PREFIX}${clean || 'user'}`;
}

/** Where a message may go: a session code, `all`, or (for replies) a person. */
export function assertRecipient(value: unknown): string {
  if (typeof value === 'string' && (CODE_RE.test(value) || value === BROADCAST || isHumanAddress(value))) return value;
  throw new InvalidInputError(
    `Invalid recipient ${preview(value)}: use a 4-character session code or \`all\`.`,
    'Run `who` to see the codes of the live sessions.',
  );
}

/** Message text: non-empty, at most 16 KiB of UTF-8, no NUL or other control characters but tab and newline. */
export function assertMessageText(value: unknown): string {
  if (typeof value !== 'string') throw new InvalidInputError('The message must be text.');
  const text = value.replace(/\r\n?/g, '\n');
  if (text.trim() === '') throw new InvalidInputError('The message is empty.', 'Write what you want to say.');
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_MESSAGE_BYTES) {
    throw new InvalidInputError(
      `The message is ${bytes} bytes; the limit is ${MAX_MESSAGE_BYTES} (16 KiB).`,
      'Shorten it, or put the details in a file in the project and send its path.',
    );
  }
  // eslint-disable-next-line no-control-regex
  const bad = /[\u0000-\u0008\u000b-\u001f\u007f]/.exec(text);
  if (bad) {
    throw new InvalidInputError(
      `The message contains a control character (U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}) at offset ${bad.index}.`,
      'Remove it; tabs and newlines are fine.',
    );
  }
  return text;
}
