#!/usr/bin/env node
// The team engine's benchmarks (issue 14): `npm run bench:team` (full) or `-- --quick` (smoke).
// A real redis-server on a loopback port (AOF, appendfsync always; an ACL user on a prefix), the
// real built hook (dist/hook.cjs) and `serve` (dist/cli.js), and the source's store, relay and
// client bundled by esbuild for the in-process parts. Prints one row per figure and writes them
// as JSON to bench/results/team-latest.json (quick: team-quick.json). Never fails on a timing.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, rmSync, watch, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { fakeClaude, installCleanupHandlers, killAll, spawnTracked, timeProcess } from './lib/procs.mjs';
import { percentile, round, summary } from './lib/stats.mjs';
import { REPO, makeTempRoot, makeWorld, removeTempRoot, shq, writeEmptyScript } from './lib/world.mjs';

const quick = process.argv.includes('--quick');
const root = makeTempRoot();
installCleanupHandlers(() => removeTempRoot(root));
const t0 = performance.now();
const log = (m) => process.stderr.write(`[bench:team ${((performance.now() - t0) / 1000).toFixed(1)}s] ${m}\n`);
const rows = [];
const data = {};
const row = (name, value, target = '—', met = '—') => rows.push({ name, value, target, met });
const ms = (x) => `${x < 10 ? x.toFixed(2) : x.toFixed(1)} ms`;

// ---- the engine ---------------------------------------------------------------------------------

async function freePort() {
  const s = createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address();
  s.close();
  await once(s, 'close');
  return port;
}

async function startEngine(name, { tls = false } = {}) {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  if (tls) {
    const ssl = (args) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=bench-ca', '-keyout', 'ca.key', '-out', 'ca.crt']);
    ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr']);
    writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
    ssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', 'san.ext', '-out', 'server.crt']);
  }
  const conf = [
    tls ? 'port 0' : `port ${port}`,
    ...(tls ? [`tls-port ${port}`, 'tls-cert-file server.crt', 'tls-key-file server.key', 'tls-ca-cert-file ca.crt', 'tls-auth-clients no'] : []),
    'bind 127.0.0.1',
    'save ""',
    `dir ${dir}`,
    'appendonly yes',
    'appendfsync always',
    'user default on >admin-pw ~* &* +@all',
    'user team-a on >team-a-pw ~team-a:* &team-a:* +@all -@dangerous',
  ];
  writeFileSync(join(dir, 'redis.conf'), `${conf.join('\n')}\n`);
  const child = spawnTracked('redis-server', [join(dir, 'redis.conf')], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (b) => {
      out += b;
      if (out.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', () => reject(new Error(`redis-server exited:\n${out}`)));
  });
  const scheme = tls ? 'rediss' : 'redis';
  const ca = tls ? `&ca=${join(dir, 'ca.crt')}` : '';
  return {
    port,
    child,
    url: (prefix = 'team-a') => `${scheme}://team-a:team-a-pw@127.0.0.1:${port}/0?prefix=${prefix}${ca}`,
    admin: `${scheme}://default:admin-pw@127.0.0.1:${port}/0?prefix=admin${ca}`,
  };
}

// ---- the code under test --------------------------------------------------------------------------

async function bundle() {
  await build({ entryPoints: [join(REPO, 'bench/team/entry.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: join(root, 'team.mjs'), logLevel: 'error' });
  await build({ entryPoints: [join(REPO, 'bench/team/ping.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: join(root, 'ping.cjs'), logLevel: 'error' });
  return import(pathToFileURL(join(root, 'team.mjs')).href);
}

/** Resolves when `<dir>/<id>.json` exists (inotify on the folder, no polling). */
function appears(dir, id, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    const name = `${id}.json`;
    const done = (err) => {
      clearTimeout(t);
      w.close();
      err ? reject(err) : resolve(performance.now());
    };
    const w = watch(dir, (_e, f) => {
      if (f === null || String(f) === name) {
        try {
          if (readdirSync(dir).includes(name)) done();
        } catch {
          /* not yet */
        }
      }
    });
    const t = setTimeout(() => done(new Error(`${id} did not appear in ${dir}`)), timeoutMs);
    if (readdirSync(dir).includes(name)) done();
  });
}

// ---- 1. fresh-process cost: the hook with a team engine configured, and what a network hook would pay ----

async function processCost(api, engine, tlsEngine) {
  const w = makeWorld(root, 'hook', api);
  const s = w.session();
  const plain = makeWorld(root, 'hook-plain', api); // no team engine: the A/B baseline
  const sp = plain.session();
  // The same store with a team engine configured: the hook must not care.
  writeFileSync(join(w.home, 'backend.url'), `${engine.url()}\n`, { mode: 0o600 });
  const empty = writeEmptyScript(root);
  const hookCjs = join(REPO, 'dist', 'hook.cjs');
  const input = JSON.stringify({ session_id: '3f1c2a9e-0000-4000-8000-bench0000000', transcript_path: '/tmp/b.jsonl', cwd: '/tmp', hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: { command: 'ls' }, tool_response: { stdout: '' } });
  const sh = (cmd, env) => timeProcess('/bin/sh', ['-c', cmd], { env, input });
  const variants = [
    ['node', 'node empty.cjs', () => sh(`exec ${shq(process.execPath)} ${shq(empty)}`, w.env(s.pid))],
    ['hookLocal', 'hook, no team engine (same store layout)', () => sh(`exec ${shq(process.execPath)} ${shq(hookCjs)} hook`, plain.env(sp.pid))],
    ['hookTeam', 'hook, team engine configured (backend.url + CLAUDE_INTERCOM_URL)', () => sh(`exec ${shq(process.execPath)} ${shq(hookCjs)} hook`, w.env(s.pid, { CLAUDE_INTERCOM_URL: engine.url() }))],
    ['ping', 'a process that connects + one command (hand-written RESP client)', () => sh(`exec ${shq(process.execPath)} ${shq(join(root, 'ping.cjs'))}`, { PATH: process.env.PATH, BENCH_URL: engine.url() })],
    ['pingTls', 'the same over TLS (rediss://)', () => sh(`exec ${shq(process.execPath)} ${shq(join(root, 'ping.cjs'))}`, { PATH: process.env.PATH, BENCH_URL: tlsEngine.url() })],
  ];
  const n = quick ? 12 : 40;
  const samples = Object.fromEntries(variants.map(([k]) => [k, []]));
  for (let i = 0; i < n + 2; i++) {
    for (const [k, , runOnce] of variants) {
      const r = await runOnce();
      if (r.code !== 0) throw new Error(`${k} exited ${r.code}: ${r.stderr}`);
      if (i >= 2) samples[k].push(r.ms); // two warm-up rounds
    }
  }
  const base = percentile(samples.node, 50);
  for (const [k, label] of variants) {
    const p50 = percentile(samples[k], 50);
    const ratio = p50 / base;
    const target = k === 'hookTeam' ? '≤ 1.15× node' : '—';
    const met = k === 'hookTeam' ? (ratio <= 1.15 ? 'yes' : 'NO') : '—';
    const vsLocal = k === 'hookTeam' ? `, ${(p50 / percentile(samples.hookLocal, 50)).toFixed(2)}× the hook without` : '';
    row(`Fresh process: ${label} (p50 / p90)`, `${ms(p50)} / ${ms(percentile(samples[k], 90))}  (${ratio.toFixed(2)}× node${vsLocal})`, k === 'node' ? 'baseline' : target, k === 'node' ? '—' : met);
    data[`process.${k}`] = summary(samples[k]);
  }
}

// ---- 2. send on A -> in B's local inbox, against the same-machine path in the same run ------------

async function sendLatency(api, engine) {
  // B: a real `serve` (dist/cli.js) behind a stand-in for Claude Code, its relay in that process.
  const homeB = join(root, 'lat-B', 'store');
  const project = join(root, 'lat-project');
  mkdirSync(project, { recursive: true });
  const envB = { PATH: process.env.PATH, HOME: join(root, 'lat-B'), CLAUDE_INTERCOM_HOME: homeB, CLAUDE_INTERCOM_URL: engine.url(), CLAUDE_INTERCOM_MACHINE: 'B' };
  const serveB = spawnTracked(process.execPath, [join(REPO, 'test/support/fake-parent.mjs'), process.execPath, join(REPO, 'dist/cli.js'), 'serve'], { env: envB, cwd: project, stdio: ['pipe', 'ignore', 'pipe'] });
  const codeB = await new Promise((resolve, reject) => {
    let err = '';
    let code;
    serveB.stderr.on('data', (b) => {
      err += b;
      code ??= /session ([a-z0-9]{4})/.exec(err)?.[1];
      if (code && /connected/.test(err)) resolve(code);
    });
    serveB.once('exit', () => reject(new Error(`serve B exited:\n${err}`)));
  });
  // A: the sender's side in this process (what A's serve does on `send`), and a local recipient on A.
  const localA = api.FsStore.open(join(root, 'lat-A', 'store'));
  const remoteA = new api.RedisStore(api.parseBackendUrl(engine.url()), { machine: 'A' });
  const teamA = new api.TeamStore(localA, remoteA);
  const claudeA = fakeClaude();
  const a2 = localA.register({ pid: claudeA.pid, pidStart: api.processStart(claudeA.pid), serverPid: process.pid, projectRoot: project, projectName: 'p', cwd: project, startedAt: Date.now() });
  const dirB = join(homeB, 'inbox', codeB, 'new');
  const dirA = join(localA.home, 'inbox', a2.code, 'new');
  await teamA.session(codeB); // connected
  const n = quick ? 50 : 200;
  const remote = [];
  const local = [];
  const sendReturned = [];
  for (let i = 0; i < n + 5; i++) {
    for (const [to, dir, out] of [
      [codeB, dirB, remote],
      [a2.code, dirA, local],
    ]) {
      const m = { id: api.newMessageId(), from: 'human:bench', to, text: `latency probe ${i}`, sentAt: Date.now() };
      const arrived = appears(dir, m.id);
      const start = performance.now();
      await teamA.deliver(m, [to]);
      const returned = performance.now();
      const at = await arrived;
      if (i >= 5) {
        out.push(at - start);
        if (to === codeB) sendReturned.push(returned - start);
      }
    }
  }
  const rp50 = percentile(remote, 50);
  const lp50 = percentile(local, 50);
  row(`Send on A -> in B's local inbox, other machine via the engine (p50 / p90 / p99, ${n} msgs)`, `${ms(rp50)} / ${ms(percentile(remote, 90))} / ${ms(percentile(remote, 99))}`, '≤ 10 ms (p50)', rp50 <= 10 ? 'yes' : 'NO');
  row('  the same message to a session on the same machine (local store), same run (p50 / p99)', `${ms(lp50)} / ${ms(percentile(local, 99))}  (remote ${(rp50 / lp50).toFixed(1)}× local)`);
  row('  send returned on A (engine acknowledged; p50 / p99)', `${ms(percentile(sendReturned, 50))} / ${ms(percentile(sendReturned, 99))}`);
  data.latency = { remote: summary(remote), local: summary(local), sendReturned: summary(sendReturned) };
  remoteA.close();
  serveB.kill('SIGTERM');
}

// ---- 3. 200 sessions over 8 machines on one engine ------------------------------------------------

async function fleet(api, engine) {
  const machines = 8;
  const perMachine = quick ? 5 : 25;
  const total = machines * perMachine;
  const admin = await api.RespClient.connect(api.parseBackendUrl(engine.admin).connect);
  const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await admin.call(['INFO', 'memory']))[1]);
  const memBefore = await usedMemory();
  const project = join(root, 'fleet-project');
  mkdirSync(project, { recursive: true });
  const prefix = 'team-a';
  const arrivals = new Map(); // message id -> count of sessions that got it
  const waiters = new Map(); // message id -> { n, resolve }
  const count = (id, k = 1) => {
    const c = (arrivals.get(id) ?? 0) + k;
    arrivals.set(id, c);
    const w = waiters.get(id);
    if (w && c >= w.n) w.resolve(performance.now());
  };
  const sessions = [];
  const regStart = performance.now();
  for (let m = 0; m < machines; m++) {
    const home = join(root, `fleet-${m}`, 'store');
    const local = api.FsStore.open(home);
    for (let i = 0; i < perMachine; i++) {
      const claude = fakeClaude();
      const p = local.register({ pid: claude.pid, pidStart: api.processStart(claude.pid), serverPid: process.pid, projectRoot: project, projectName: 'fleet', projectId: 'github.com/org/fleet', cwd: project, startedAt: Date.now() });
      const remote = new api.RedisStore(api.parseBackendUrl(engine.url(prefix)), { machine: `m${m}` });
      let up;
      const isUp = new Promise((r) => (up = r));
      const relay = new api.Relay(local, remote, p, { onRelayed: (ms_) => ms_.forEach((x) => count(x.id)), onState: (s) => s === 'up' && up() });
      relay.start();
      sessions.push({ m, p, local, remote, relay, isUp, team: new api.TeamStore(local, remote) });
    }
  }
  await Promise.all(sessions.map((s) => s.isUp));
  const regMs = performance.now() - regStart;
  const memAfter = await usedMemory();
  // The keys of one session alone (presence, pid, inbox stream with its group, index, owner), and its connections.
  const probe = sessions[1];
  let keyBytes = 0;
  for (const k of ['s', 'in', 'ix', 'own']) keyBytes += Number(await admin.call(['MEMORY', 'USAGE', `${prefix}:${k}:${probe.p.code}`, 'SAMPLES', '0']) ?? 0);
  keyBytes += Number(await admin.call(['MEMORY', 'USAGE', `${prefix}:pid:m${probe.m}:${probe.p.pid}`]) ?? 0);
  const clients = Number(/connected_clients:(\d+)/.exec(await admin.call(['INFO', 'clients']))[1]);
  row(`Fleet: ${total} sessions over ${machines} machines, all relays up (serial start)`, `${(regMs / 1000).toFixed(2)} s`);
  row('Engine memory per session, all told (used_memory delta / sessions)', `${((memAfter - memBefore) / total / 1024).toFixed(1)} KiB  (${((clients - 1) / total).toFixed(1)} connections per session)`);
  row('  of which the session\'s keys (MEMORY USAGE: presence, pid, inbox stream + group, index, owner)', `${(keyBytes / 1024).toFixed(1)} KiB`);
  data.fleet = { total, machines, startMs: round(regMs), memPerSessionBytes: Math.round((memAfter - memBefore) / total), keyBytesPerSession: keyBytes, clients };

  // who with every session live (from machine 0's view: local + engine)
  const sender = sessions[0];
  const whoMs = [];
  for (let i = 0; i < (quick ? 5 : 20); i++) {
    const s0 = performance.now();
    const list = await sender.team.sessions();
    whoMs.push(performance.now() - s0);
    if (list.length !== total) throw new Error(`who saw ${list.length} of ${total}`);
  }
  row(`who with ${total} live sessions on ${machines} machines (p50 / p90)`, `${ms(percentile(whoMs, 50))} / ${ms(percentile(whoMs, 90))}`);

  // Broadcast: a session on machine 0 to all of the project, until every other session has it locally.
  const intercom = new api.Intercom(sender.team);
  const bc = [];
  const bcReturned = [];
  for (let i = 0; i < (quick ? 3 : 10); i++) {
    const s0 = performance.now();
    const res = await intercom.send({ kind: 'session', session: sender.p }, 'all', `broadcast ${i}`);
    const returned = performance.now();
    const id = res.message.id;
    const localCount = sessions.filter((s) => s.m === 0 && s !== sender).length;
    if (res.recipients.length !== total - 1) throw new Error(`broadcast reached ${res.recipients.length}`);
    const need = total - 1 - localCount;
    const all = (arrivals.get(id) ?? 0) >= need ? Promise.resolve(performance.now()) : new Promise((resolve) => waiters.set(id, { n: need, resolve }));
    const t = await Promise.race([all, new Promise((_, rej) => setTimeout(() => rej(new Error(`broadcast ${id}: ${arrivals.get(id) ?? 0} of ${need}`)), 30_000))]);
    bc.push(t - s0);
    bcReturned.push(returned - s0);
  }
  row(`Broadcast to ${total - 1} sessions on ${machines} machines: send -> in every local inbox (p50 / max)`, `${ms(percentile(bc, 50))} / ${ms(Math.max(...bc))}`);
  row('  send itself returned (engine acknowledged; p50)', ms(percentile(bcReturned, 50)));
  data.broadcast = { toAll: summary(bc), returned: summary(bcReturned) };

  // Presence churn: a session joins (register on the engine) and leaves (unregister), while all are live.
  const churn = [];
  const churnRemote = new api.RedisStore(api.parseBackendUrl(engine.url(prefix)), { machine: 'churn' });
  const claude = fakeClaude();
  for (let i = 0; i < (quick ? 20 : 100); i++) {
    const s0 = performance.now();
    const p = await churnRemote.register({ pid: claude.pid, pidStart: api.processStart(claude.pid), serverPid: 100000 + i, projectRoot: project, projectName: 'fleet', cwd: project, startedAt: Date.now() });
    await churnRemote.unregister(p.code);
    churn.push(performance.now() - s0);
  }
  churnRemote.close();
  row('Presence churn: a session joins and leaves the engine (register + unregister; p50 / p90)', `${ms(percentile(churn, 50))} / ${ms(percentile(churn, 90))}  (${Math.round(1000 / percentile(churn, 50))} joins+leaves/s, one client)`);
  data.churn = summary(churn);

  // Throughput: one sender -> one session on another machine; then 8 senders -> 8 sessions at once.
  const through = async (pairs, perPair) => {
    const ids = [];
    const s0 = performance.now();
    await Promise.all(
      pairs.map(async ([from, to]) => {
        for (let i = 0; i < perPair; i++) {
          const m = { id: api.newMessageId(), from: from.p.code, to: to.p.code, text: `throughput ${i}`, sentAt: Date.now() };
          ids.push(m.id);
          await from.team.deliver(m, [to.p.code]);
        }
      }),
    );
    await Promise.all(ids.map((id) => ((arrivals.get(id) ?? 0) >= 1 ? undefined : new Promise((resolve) => waiters.set(id, { n: 1, resolve })))));
    return (ids.length / (performance.now() - s0)) * 1000;
  };
  const per = quick ? 300 : 2000;
  const one = await through([[sessions[0], sessions[perMachine]]], per);
  row(`Throughput, one sender -> one session on another machine (${per} msgs, until all in the local inbox)`, `${Math.round(one).toLocaleString('en-US')} msg/s`);
  const pairs = Array.from({ length: machines }, (_, m) => [sessions[m * perMachine + 1], sessions[((m + 1) % machines) * perMachine + 2]]);
  const eight = await through(pairs, per / 4);
  row(`Throughput, ${machines} senders -> ${machines} sessions on other machines at once (${(per / 4) * machines} msgs)`, `${Math.round(eight).toLocaleString('en-US')} msg/s`);
  data.throughput = { one: Math.round(one), eight: Math.round(eight) };

  await Promise.all(sessions.map((s) => s.relay.stop()));
  admin.close();
}

// ---- run ---------------------------------------------------------------------------------------------

const info = { date: new Date().toISOString(), cpus: cpus().length, node: process.version, loadStart: loadavg().map((x) => x.toFixed(2)), quick };
log(`${quick ? 'quick' : 'full'} mode; load ${info.loadStart.join(' ')}; temp ${root}`);
let broken = 0;
try {
  const api = await bundle();
  const engine = await startEngine('engine');
  const tlsEngine = await startEngine('engine-tls', { tls: true });
  for (const [name, fn] of [
    ['process cost', () => processCost(api, engine, tlsEngine)],
    ['send latency', () => sendLatency(api, engine)],
    ['fleet', () => fleet(api, engine)],
  ]) {
    log(`${name}: start`);
    try {
      await fn();
    } catch (err) {
      broken++;
      log(`${name}: BROKEN ${err.stack ?? err}`);
    }
  }
} finally {
  info.loadEnd = loadavg().map((x) => x.toFixed(2));
  info.seconds = round((performance.now() - t0) / 1000, 0);
  const w = Math.max(...rows.map((r) => r.name.length));
  const v = Math.max(...rows.map((r) => r.value.length));
  process.stdout.write(`\n| ${'Figure'.padEnd(w)} | ${'Value'.padEnd(v)} | Target | Met |\n|${'-'.repeat(w + 2)}|${'-'.repeat(v + 2)}|---|---|\n`);
  for (const r of rows) process.stdout.write(`| ${r.name.padEnd(w)} | ${r.value.padEnd(v)} | ${r.target} | ${r.met} |\n`);
  process.stdout.write(`\n${JSON.stringify(info)}\n`);
  mkdirSync(join(REPO, 'bench', 'results'), { recursive: true });
  writeFileSync(join(REPO, 'bench', 'results', quick ? 'team-quick.json' : 'team-latest.json'), `${JSON.stringify({ info, rows, data }, null, 2)}\n`);
  killAll();
  rmSync(root, { recursive: true, force: true });
}
process.exit(broken ? 1 : 0);
