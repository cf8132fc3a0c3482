/**
 * Message ids: 9 base-36 digits of milliseconds (good until the year 5188), then 8 random base-36
 * characters. They sort by send time across processes; within one process they are strictly
 * increasing even within a millisecond (the clock part is bumped, as ULID's monotonic mode does).
 */
let lastMs = 0;

export function newMessageId(now: number = Date.now()): string {
  const ms = now > lastMs ? now : lastMs + 1;
  lastMs = ms;
  return ms.toString(36).padStart(9, '0') + randomBase36(8);
}

export function messageIdTime(id: string): number {
  return parseInt(id.slice(0, 9), 36);
}

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * Random characters for uniqueness, not secrecy (ids and codes are not secrets: the store is
 * private to its user). Math.random keeps `node:crypto` off the hook's hot path.
 */
export function randomBase36(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[Math.floor(Math.random() * 36)];
  return out;
}
