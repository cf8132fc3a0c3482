// An idle watcher exactly as the installed Stop hook starts it (`node <app>/dist/hook.cjs watch`,
// Stop JSON on stdin), with its exit time taken at the 'exit' event.
import { spawnTracked } from './procs.mjs';

const STOP = JSON.stringify({ session_id: '3f1c2a9e-0000-4000-8000-bench0000000', transcript_path: '/tmp/bench.jsonl', cwd: '/tmp', hook_event_name: 'Stop', stop_hook_active: false });

export function startWatcher(app, env) {
  const child = spawnTracked(process.execPath, [app.hookCjs, 'watch'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let firstStderrAt;
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => {
    firstStderrAt ??= performance.now();
    stderr += d;
  });
  child.stdin.on('error', () => {});
  child.stdin.end(STOP);
  const exited = new Promise((resolve, reject) => {
    let exitAt;
    let code;
    child.on('error', reject);
    child.on('exit', (c) => {
      exitAt = performance.now();
      code = c;
    });
    child.on('close', () => resolve({ code, exitAt, firstStderrAt, stdout, stderr }));
  });
  return { child, pid: child.pid, exited };
}
