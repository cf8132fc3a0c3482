// Stands in for a Claude Code process that runs an MCP server: starts its argv as a child and relays
// stdio through pipes of its own, so the child's parent pid is this process (as `serve`'s parent is
// Claude Code), and the child's stdin closes when this process dies, even by SIGKILL.
import { spawn } from 'node:child_process';
const [cmd, ...args] = process.argv.slice(2);
const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'], env: process.env });
process.stdin.pipe(child.stdin);
child.stdout.pipe(process.stdout);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, () => child.kill(sig));
