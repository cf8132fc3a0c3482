import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidInputError, UnsafeStateError } from '../../src/core/errors.js';
import { teamConfig } from '../../src/store/redis/config.js';
import { parseBackendUrl } from '../../src/store/redis/url.js';
import { tempDir } from '../support/temp.js';

describe('the team engine URL', () => {
  it('reads user, password, db, TLS and the prefix (the user name by default); shows it without the password', () => {
    const a = parseBackendUrl('rediss://team-a:s3cr%40t@redis.example.com:6380/2?prefix=team-a');
    expect(a.connect).toMatchObject({ host: 'redis.example.com', port: 6380, tls: true, username: 'team-a', password: 's3cr@t', db: 2 });
    expect(a.prefix).toBe('team-a');
    expect(a.redacted).toBe('rediss://team-a:***@redis.example.com:6380/2?prefix=team-a');
    expect(parseBackendUrl('redis://bob:pw@10.0.0.1').prefix).toBe('bob');
    expect(parseBackendUrl('redis://127.0.0.1').prefix).toBe('claude-intercom');
  });

  it('refuses a URL without a password to another machine unless told explicitly; loopback is fine', () => {
    expect(() => parseBackendUrl('redis://redis.example.com:6379')).toThrow(/no password, and redis.example.com is not this machine/);
    expect(() => parseBackendUrl('redis://user@10.1.2.3')).toThrow(InvalidInputError);
    expect(parseBackendUrl('redis://redis.example.com?allow_no_auth=1').connect.password).toBeUndefined();
    expect(parseBackendUrl('redis://redis.example.com', { allowNoAuth: true }).connect.host).toBe('redis.example.com');
    for (const host of ['127.0.0.1', 'localhost', '[::1]']) expect(parseBackendUrl(`redis://${host}:6379`).connect.password).toBeUndefined();
  });

  it('says what is wrong with a bad URL, and never echoes its password', () => {
    for (const [url, why] of [
      ['http://x:pw@h', /only redis and rediss/],
      ['not a url', /not a URL/],
      ['redis://u:pw@h/x', /database "x" is not a number/],
      ['redis://u:pw@h?prefix=a*b', /key prefix "a\*b" is not allowed/],
      ['redis://u:pw@h?ca=/x.pem', /\?ca= is for TLS/],
      ['rediss://u:pw@h?ca=/nonexistent/ca.pem', /Cannot read the CA file/],
    ] as const) {
      let err: unknown;
      try {
        parseBackendUrl(url);
      } catch (e) {
        err = e;
      }
      expect(err, url).toBeInstanceOf(InvalidInputError);
      expect((err as Error).message).toMatch(why);
      expect((err as Error).message).not.toContain('pw@');
    }
  });

  it('comes from CLAUDE_INTERCOM_URL, else from a 0600 file in the store; a file others can read is refused', () => {
    const home = tempDir();
    expect(teamConfig({}, home)).toBeUndefined();
    expect(teamConfig({ CLAUDE_INTERCOM_URL: 'redis://u:p@127.0.0.1:7000', CLAUDE_INTERCOM_MACHINE: 'dev box' }, home)).toMatchObject({ machine: 'dev-box', address: { prefix: 'u' } });
    mkdirSync(home, { recursive: true });
    const file = join(home, 'backend.url');
    writeFileSync(file, 'redis://team:pw@127.0.0.1:7001/0?prefix=team\n', { mode: 0o600 });
    expect(teamConfig({}, home)?.address.connect.port).toBe(7001);
    chmodSync(file, 0o644);
    expect(() => teamConfig({}, home)).toThrow(UnsafeStateError);
    try {
      teamConfig({}, home);
    } catch (err) {
      expect((err as UnsafeStateError).describe()).toContain(`chmod 600 ${file}`);
    }
  });
});
