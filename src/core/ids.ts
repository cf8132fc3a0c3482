import { randomBytes } from 'node:crypto';

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

export function randomBase36(length: number): string {
  // 252 = 36 * 7: reject bytes above it so every character is equally likely.
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 252 && out.length < length) out += ALPHABET[b % 36];
    }
  }
  return out;
}
