/**
 * Worker processes for the reliability tests, bundled by esbuild at test time (see bundle.ts) so
 * that they run the real store and intercom code as plain Node.js processes.
 *
 *   send <home> <code> <count> <tag>   send <count> messages to <code> as a person; print the ids (JSON) at the end
 *   consume <home> <code>              claim + peek + ack in a loop; on a line on stdin: drain, print stats, exit
 *   crash-send <home> <code> <tag>     send checksummed messages forever (killed with SIGKILL); "ready" after the first
 *   read <home> <code>                 parse every file in inbox/new, inbox/shown and log/ in a loop; stats on SIGTERM
 *   claim <home> <code>                claim in a loop; on a line on stdin: claim once more, print the ids, exit
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Intercom } from '../../../../src/core/intercom.js';
import type { Message } from '../../../../src/core/types.js';
import { FsStore } from '../../../../src/store/fs/fs-store.js';

const [mode, home, code, a, b] = process.argv.slice(2) as [string, string, string, string?, string?];
const store = new FsStore(home);

function out(v: unknown): void {
  process.stdout.write(`${JSON.stringify(v)}\n`);
}

/** Resolves on the first line (or end) of stdin: the parent's "stop now". */
function stdinLine(): Promise<void> {
  return new Promise((resolve) => {
    process.stdin.on('data', () => resolve());
    process.stdin.on('end', () => resolve());
  });
}

/** A text that proves itself whole: `<sha256 of body> <body>`. */
export function checksummed(body: string): string {
  return `${createHash('sha256').update(body).digest('hex')} ${body}`;
}

function verifyText(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  const sp = text.indexOf(' ');
  return sp === 64 && createHash('sha256').update(text.slice(65)).digest('hex') === text.slice(0, 64);
}

function human(tag: string) {
  return { kind: 'human' as const, address: `human:${tag}`, projectRoot: '/reliability', projectName: 'reliability' };
}

async function main(): Promise<void> {
  switch (mode) {
    case 'send': {
      const intercom = new Intercom(store);
      const ids: string[] = [];
      for (let i = 0; i < Number(a); i++) ids.push((await intercom.send(human(b!), code, `${b} #${i}`)).message.id);
      out({ ids });
      return;
    }
    case 'consume': {
      const claimed: string[] = [];
      let ackFailures = 0;
      let peeks = 0;
      let unparsable = 0;
      const pass = (): void => {
        for (const m of store.claim(code)) claimed.push(m.id);
        // What `peek` shows: every entry must be whole, and everything we claimed is 'shown'.
        const entries = store.inbox(code);
        peeks++;
        for (const e of entries) {
          if (typeof e.id !== 'string' || typeof e.text !== 'string') unparsable++;
          if (e.state === 'shown' && !store.ack(code, e.id)) ackFailures++;
        }
      };
      let stop = false;
      void stdinLine().then(() => (stop = true));
      await new Promise<void>((resolve) => {
        const loop = (): void => {
          pass();
          if (stop) {
            pass();
            resolve();
          } else setImmediate(loop);
        };
        loop();
      });
      out({ claimed, ackFailures, peeks, unparsable });
      return;
    }
    case 'crash-send': {
      const intercom = new Intercom(store);
      let i = 0;
      const one = async (): Promise<void> => {
        // Sizes up to the 16 KiB limit, so that kills land in writes of many pages too.
        const body = `${a} #${i++} ${'x'.repeat(Math.floor(Math.random() * 16_000))}`;
        await intercom.send(human(a!), code, checksummed(body));
      };
      await one();
      process.stdout.write('ready\n');
      for (;;) await one();
    }
    case 'read': {
      let files = 0;
      let vanished = 0;
      const bad: string[] = [];
      const dirs = [join(home, 'inbox', code, 'new'), join(home, 'inbox', code, 'shown'), join(home, 'log')];
      let stop = false;
      process.once('SIGTERM', () => (stop = true));
      await new Promise<void>((resolve) => {
        const loop = (): void => {
          for (const dir of dirs) {
            let names: string[] = [];
            try {
              names = readdirSync(dir);
            } catch {
              continue;
            }
            for (const name of names) {
              let raw: string;
              try {
                raw = readFileSync(join(dir, name), 'utf8');
              } catch {
                vanished++; // claimed or acknowledged between the listing and the read
                continue;
              }
              files++;
              try {
                const m = JSON.parse(raw) as Message;
                if (`${m.id}.json` !== name || !verifyText(m.text)) bad.push(`${dir}/${name}: not whole`);
              } catch {
                bad.push(`${dir}/${name}: ${raw.length} bytes, not JSON`);
              }
            }
          }
          if (stop) resolve();
          else setImmediate(loop);
        };
        loop();
      });
      out({ files, vanished, bad });
      return;
    }
    case 'claim': {
      const ids: string[] = [];
      let stop = false;
      let rounds = 0;
      void stdinLine().then(() => (stop = true));
      // Everyone goes for the same files: small batches, as the hook (20) and the watcher do.
      await new Promise<void>((resolve) => {
        const loop = (): void => {
          rounds++;
          for (const m of store.claim(code, 3)) ids.push(m.id);
          if (stop) resolve();
          else setImmediate(loop);
        };
        loop();
      });
      out({ ids, rounds });
      return;
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`worker ${mode} failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
