import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import { newMessageId, messageIdTime } from '../../src/core/ids.js';
import {
  MAX_MESSAGE_BYTES,
  assertCode,
  assertMessageId,
  assertMessageText,
  assertRecipient,
  humanAddress,
} from '../../src/core/validate.js';

const hostile = ['../x', '../../etc/passwd', '/etc/passwd', 'ab\u0000c', 'AB12', 'ab1', 'ab123', 'a/b1', '.', '..', '', ' ab12', 'x'.repeat(10_000), 'ab\n1'];

describe('validation', () => {
  it('accepts only 4-character lowercase codes', () => {
    expect(assertCode('k3x9')).toBe('k3x9');
    for (const bad of hostile) expect(() => assertCode(bad), bad).toThrow(InvalidInputError);
    expect(() => assertCode(1234)).toThrow(/Invalid session code/);
  });

  it('accepts only well-formed message ids', () => {
    const id = newMessageId();
    expect(assertMessageId(id)).toBe(id);
    for (const bad of [...hostile, `${id}x`, id.toUpperCase(), `../${id}`]) expect(() => assertMessageId(bad)).toThrow(InvalidInputError);
  });

  it('takes codes, all, and human addresses as recipients, nothing else', () => {
    expect(assertRecipient('k3x9')).toBe('k3x9');
    expect(assertRecipient('all')).toBe('all');
    expect(assertRecipient('human:bob')).toBe('human:bob');
    for (const bad of [...hostile, 'human:../x', 'human:', 'ALL', 'human:a/b']) expect(() => assertRecipient(bad)).toThrow(InvalidInputError);
  });

  it('caps message size at 16 KiB of UTF-8 and refuses control characters', () => {
    expect(assertMessageText('a'.repeat(MAX_MESSAGE_BYTES))).toHaveLength(MAX_MESSAGE_BYTES);
    expect(() => assertMessageText('a'.repeat(MAX_MESSAGE_BYTES + 1))).toThrow(/16 KiB/);
    expect(() => assertMessageText('é'.repeat(MAX_MESSAGE_BYTES / 2 + 1))).toThrow(/limit/);
    expect(() => assertMessageText('nul\u0000here')).toThrow(/U\+0000/);
    expect(() => assertMessageText('esc\u001b[31m')).toThrow(/U\+001B/);
    expect(() => assertMessageText('   ')).toThrow(/empty/);
    expect(assertMessageText('tabs\tand\r\nnewlines')).toBe('tabs\tand\nnewlines');
    expect(assertMessageText('odd unicode \u202e\u200b 🙂')).toContain('🙂');
  });

  it('makes human addresses safe whatever the user name', () => {
    expect(humanAddress('bob')).toBe('human:bob');
    expect(humanAddress('../../evil')).toBe('human:evil');
    expect(humanAddress('')).toBe('human:user');
  });
});

describe('message ids', () => {
  it('are unique and strictly increasing within a process, even in one millisecond', () => {
    const now = Date.now();
    const ids = Array.from({ length: 1000 }, () => newMessageId(now));
    expect(new Set(ids).size).toBe(1000);
    expect([...ids].sort()).toEqual(ids);
  });

  it('sort by time across processes (the time is the prefix)', () => {
    const a = newMessageId(1_700_000_000_000);
    expect(messageIdTime(a)).toBeGreaterThanOrEqual(1_700_000_000_000);
    expect(newMessageId(Date.now() + 10_000) > a).toBe(true);
  });
});
