/** Checks about the team engine (the Redis/Valkey backend) and what every Node start costs. */
import { describeError } from '../core/errors.js';
import { openTeamEngine } from '../store/index.js';
import type { RedisStore } from '../store/redis/redis-store.js';
import { engineError } from '../store/redis/team-store.js';
import { ok, warning, failure, type CheckResult, type DoctorEnv } from './types.js';

/**
 * NODE_EXTRA_CA_CERTS makes every Node process parse the extra certificates at start: ~75 ms
 * measured per start (issue 14), paid by the hook after every tool call, whatever the backend.
 */
export async function checkNodeStartCost(env: DoctorEnv): Promise<CheckResult> {
  const title = 'Node.js start cost';
  const extra = env.ctx.env.NODE_EXTRA_CA_CERTS;
  if (!extra) return ok('node-start', title, 'NODE_EXTRA_CA_CERTS is not set (no extra cost per Node start)');
  return warning(
    'node-start',
    title,
    `NODE_EXTRA_CA_CERTS is set (${extra}): every Node start, the hook after each tool call included, loads those certificates (~75 ms each time here).`,
    'If only a proxy for other tools needs it, unset it for Claude Code; for a private CA of the team engine, use ?ca=<file> in the backend URL instead (read by `serve` only).',
  );
}

/** The team engine, when one is configured: the URL is sound and the engine answers this user on its prefix. */
export async function checkTeamEngine(env: DoctorEnv): Promise<CheckResult> {
  const title = 'Team engine';
  let store: RedisStore | undefined;
  try {
    store = openTeamEngine(env.ctx);
  } catch (err) {
    return failure('team-engine', title, describeError(err), 'Fix the URL with `claude-intercom install --backend <url>` (or CLAUDE_INTERCOM_URL).');
  }
  if (!store) return ok('team-engine', title, 'none configured: sessions on this machine only');
  try {
    const t0 = Date.now();
    await store.call(['EXISTS', store.key('codes')]);
    const others = (await store.sessions()).filter((s) => s.machine !== store!.machine);
    return ok('team-engine', title, `${store.location} answers in ${Date.now() - t0} ms (prefix ${store.address.prefix}, this machine is ${store.machine}; ${others.length} session(s) on other machines)`);
  } catch (err) {
    const e = engineError('reach the team engine', store.location, err);
    return warning('team-engine', title, e.message, e.hint ?? 'Check the engine and the URL.');
  } finally {
    store.close();
  }
}
