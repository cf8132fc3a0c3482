import { processStart } from '../../os/proc.js';

/**
 * Who is in the middle of a two-step store operation (a delivery being linked into inboxes, a
 * claim being written out): a process, named by pid AND start time so that a reused pid never
 * passes for the original. Whoever finds an unfinished step of an owner that is gone finishes it
 * or undoes it; a step of a live owner is left alone.
 */

let self: string | undefined;

/** This process as an owner, `<pid>-<start>` (only letters and digits in the start). */
export function selfOwner(): string {
  self ??= `${process.pid}-${startToken(processStart(process.pid) ?? 'unknown')}`;
  return self;
}

function startToken(start: string): string {
  return start.replace(/[^0-9A-Za-z]/g, '') || 'unknown';
}

let claims = 0;
/** A token for one claim of this process: its owner, and a number never used twice by it. */
export function newClaimToken(): string {
  claims++;
  return `${selfOwner()}-${claims}`;
}

/** `<pid>-<start>`, with `-<n>` for a claim token. */
const OWNER_RE = /^(\d{1,9})-([0-9A-Za-z]{1,64})(?:-\d{1,9})?$/;

export function isOwner(s: string): boolean {
  return OWNER_RE.test(s);
}

/** Is the owner (or the owner of a claim token) still running? Unparsable names count as alive: never undo what we cannot read. */
export function ownerAlive(owner: string): boolean {
  const m = OWNER_RE.exec(owner);
  if (!m) return true;
  const pid = Number(m[1]);
  if (m[2] === 'unknown') return processStart(pid) !== undefined;
  const start = processStart(pid);
  return start !== undefined && startToken(start) === m[2];
}
