#!/usr/bin/env node
// A configurable Claude Code command hook for the fact probes.
//
//   node probe-hook.mjs OUTDIR LABEL [action ...]
//
// Records what it received in OUTDIR/LABEL.<pid>.json ({label, pid, ppid, env, input, startedAt}),
// then performs the actions in order:
//   stdout=TEXT            print TEXT on stdout
//   context=EVENT:TEXT     print {"hookSpecificOutput":{"hookEventName":EVENT,"additionalContext":TEXT}}
//   sleep=SECONDS          wait
//   await=FILE             wait until FILE exists and this hook wins the rename that claims it
//   stderr=TEXT            print TEXT on stderr
//   exit=N                 exit with N (default 0 after the last action)
//   kill=SIGNAL            send SIGNAL to itself (SIGKILL: dies at once, as on OOM or a timeout's kill)
// On SIGTERM it writes OUTDIR/LABEL.<pid>.term ({at}) and exits 143; after its last action,
// OUTDIR/LABEL.<pid>.end ({at, code}).
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [outDir, label, ...actions] = process.argv.slice(2);
const startedAt = Date.now();
let input = null;
try {
  input = JSON.parse(readFileSync(0, 'utf8'));
} catch {
  input = null;
}
const base = join(outDir, `${label}.${process.pid}`);
writeFileSync(`${base}.json`, JSON.stringify({ label, pid: process.pid, ppid: process.ppid, env: process.env, input, startedAt }));
process.on('SIGTERM', () => {
  writeFileSync(`${base}.term`, JSON.stringify({ at: Date.now() }));
  process.exit(143);
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let code = 0;
for (const action of actions) {
  const eq = action.indexOf('=');
  const verb = action.slice(0, eq);
  const arg = action.slice(eq + 1);
  if (verb === 'stdout') process.stdout.write(arg + '\n');
  else if (verb === 'stderr') process.stderr.write(arg + '\n');
  else if (verb === 'context') {
    const colon = arg.indexOf(':');
    process.stdout.write(
      JSON.stringify({ hookSpecificOutput: { hookEventName: arg.slice(0, colon), additionalContext: arg.slice(colon + 1) } }) + '\n',
    );
  } else if (verb === 'sleep') await sleep(Number(arg) * 1000);
  else if (verb === 'await') {
    for (;;) {
      if (existsSync(arg)) {
        try {
          renameSync(arg, `${arg}.claimed-by-${process.pid}`);
          break;
        } catch {
          // another hook claimed it first
        }
      }
      await sleep(50);
    }
  } else if (verb === 'exit') code = Number(arg);
  else if (verb === 'kill') {
    process.kill(process.pid, arg);
    await sleep(60_000); // a signal Node handles would not stop us: never reach the end
  }
}
writeFileSync(`${base}.end`, JSON.stringify({ at: Date.now(), code }));
process.exit(code);
