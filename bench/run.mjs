#!/usr/bin/env node
// The benchmark suite (`npm run bench`, or `npm run bench -- --quick` for CI's smoke run).
// Prints one row per figure (name, value, target, met?) and writes the same as JSON to
// bench/results/latest.json (quick: bench/results/quick.json). Timings never fail the run:
// the exit code is non-zero only when a benchmark itself broke.
//
//   node bench/run.mjs [--quick] [--only=hook,wake,...] [--out=<file>] [--dist=<dir>] [--compare=<dir>] [--keep]
// --dist: bench another build (default: this repo's dist/), e.g. a proposed change built elsewhere.
// --compare: also run the hook of this other build, interleaved with the rest (an A/B in one run).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { installCleanupHandlers, killAll, liveCount } from './lib/procs.mjs';
import { REPO, distExports, makeTempRoot, removeTempRoot, snapshotApp } from './lib/world.mjs';

const SUITES = ['hook', 'edit-guard', 'wake', 'broadcast', 'large-inbox', 'idle', 'throughput'];

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const keep = argv.includes('--keep');
const only = argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const outArg = argv.find((a) => a.startsWith('--out='))?.slice(6);
const distArg = argv.find((a) => a.startsWith('--dist='))?.slice(7);
const compareArg = argv.find((a) => a.startsWith('--compare='))?.slice(10);
const unknown = argv.filter((a) => !/^--(quick|keep|only=.*|out=.*|dist=.*|compare=.*)$/.test(a));
if (unknown.length) {
  process.stderr.write(`bench: unknown argument(s) ${unknown.join(' ')}\nusage: node bench/run.mjs [--quick] [--only=${SUITES.join(',')}] [--out=file] [--dist=dir] [--compare=dir] [--keep]\n`);
  process.exit(2);
}
const selected = only ?? SUITES;
for (const s of selected) if (!SUITES.includes(s)) (process.stderr.write(`bench: no suite ${s}\n`), process.exit(2));

const root = makeTempRoot();
installCleanupHandlers(() => keep || removeTempRoot(root));
const log = (msg) => process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);
const t0 = performance.now();

const machine = machineInfo();
log(`${quick ? 'quick' : 'full'} mode; load ${machine.loadavgStart.join(' ')}; temp ${root}`);

const rows = [];
const data = {};
let broken = 0;
try {
  const app = await snapshotApp(root, distArg);
  machine.dist = distArg ?? 'dist/';
  // The candidate build lives beside the main copy: <root>/candidate/app/dist.
  const candidate = compareArg ? await snapshotApp(join(root, 'candidate'), compareArg) : undefined;
  if (candidate) machine.compare = compareArg;
  const load = distExports(app.dist);
  // The store is opened through the one seam (openLocalStore): FsStore itself is no chunk's export.
  const { openLocalStore, ...rest } = await load('openLocalStore', 'Intercom', 'processStart', 'newMessageId', 'hookCommand');
  const api = { ...rest, FsStore: { open: openLocalStore } };
  const ctx = { api, app, candidate, root, quick, log };
  for (const name of selected) {
    const started = performance.now();
    log(`${name}: start`);
    try {
      const mod = await import(`./suites/${name}.mjs`);
      const res = await mod.run(ctx);
      rows.push(...res.rows);
      data[name] = res.data ?? {};
    } catch (err) {
      broken++;
      log(`${name}: BROKEN: ${err?.stack ?? err}`);
      rows.push({ id: `${name}.error`, name: `${name}: the benchmark broke`, value: String(err?.message ?? err).slice(0, 200), target: '—', met: null, error: true });
    } finally {
      // Whatever a suite left running ends here, before the next suite's timings.
      if (liveCount() > 0) killAll();
      log(`${name}: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
  }
} catch (err) {
  broken++;
  log(`setup BROKEN: ${err?.stack ?? err}`);
  rows.push({ id: 'setup.error', name: 'setup: the benchmark broke', value: String(err?.message ?? err).slice(0, 200), target: '—', met: null, error: true });
}

machine.loadavgEnd = loadavg().map((x) => x.toFixed(2));
machine.durationSeconds = Math.round((performance.now() - t0) / 100) / 10;

printTable(rows);
const result = { date: new Date().toISOString(), mode: quick ? 'quick' : 'full', machine, rows, data };
const out = outArg ?? join(REPO, 'bench', 'results', quick ? 'quick.json' : 'latest.json');
mkdirSync(join(out, '..'), { recursive: true });
writeFileSync(`${out}.part`, `${JSON.stringify(result, null, 2)}\n`);
renameSync(`${out}.part`, out);
log(`wrote ${out} (${machine.durationSeconds} s, load at end ${machine.loadavgEnd.join(' ')})`);
process.exitCode = broken ? 1 : 0;

function printTable(rs) {
  const cells = rs.map((r) => [r.name, r.display ? `${r.value}  (${r.display})` : r.value, r.target ?? '—', r.met === true ? 'yes' : r.met === false ? 'NO' : r.error ? 'BROKEN' : '—']);
  const head = ['Figure', 'Value', 'Target', 'Met'];
  const width = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => `| ${c.map((x, i) => x.padEnd(width[i])).join(' | ')} |`;
  const out = [line(head), `|${width.map((n) => '-'.repeat(n + 2)).join('|')}|`, ...cells.map(line)];
  process.stdout.write(`\nclaude-intercom benchmarks (${quick ? 'quick' : 'full'} mode), ${new Date().toISOString()}\n`);
  process.stdout.write(`${machine.cpuModel} x${machine.nproc}, ${machine.memTotal} RAM, Node ${process.version}, load ${machine.loadavgStart.join(' ')} -> ${machine.loadavgEnd.join(' ')}\n\n`);
  process.stdout.write(`${out.join('\n')}\n\n`);
}

function machineInfo() {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {
    /* not Linux */
  }
  let nproc = cpus().length;
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    /* no nproc */
  }
  const gib = (b) => `${(b / 2 ** 30).toFixed(1)} GiB`;
  return { cpuModel, nproc, memTotal: gib(totalmem()), memFreeStart: gib(freemem()), node: process.version, platform: `${process.platform} ${process.arch}`, loadavgStart: loadavg().map((x) => x.toFixed(2)) };
}
