// The bench's view of claude-intercom: a snapshot of the built package laid out like the installed
// copy (<dir>/app/{dist,package.json}), its store API loaded from the built chunks, and helpers to
// make stores, sessions and messages exactly as the product does.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, watch, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fakeClaude } from './procs.mjs';

export const REPO = resolve(import.meta.dirname, '../..');

/**
 * Copy dist/ (and package.json, templates/) to a private folder, as `install` copies the app.
 * The bench then never sees a half-written dist/ when someone rebuilds the repo during a run.
 */
export async function snapshotApp(root, distDir = join(REPO, 'dist')) {
  const src = resolve(distDir);
  const pkgRoot = join(src, '..');
  const app = join(root, 'app');
  // Someone may be rebuilding dist/ right now (the build empties it first): wait for a whole one.
  for (let waited = 0; ; waited += 500) {
    rmSync(join(app, 'dist'), { recursive: true, force: true });
    mkdirSync(app, { recursive: true });
    if (existsSync(join(src, 'cli.js')) && existsSync(join(src, 'hook.cjs'))) {
      try {
        const before = signature(src);
        await new Promise((r) => setTimeout(r, 300)); // a build still writing shows up as a change
        cpSync(src, join(app, 'dist'), { recursive: true });
        if (signature(src) === before && distIsWhole(join(app, 'dist'))) break;
      } catch {
        /* changed under us: try again */
      }
    }
    if (waited >= 60_000) throw new Error(`${src} has no complete build (cli.js, hook.cjs and every chunk they import): run \`npm run build\``);
    await new Promise((r) => setTimeout(r, 500));
  }
  cpSync(join(pkgRoot, 'package.json'), join(app, 'package.json'));
  if (existsSync(join(pkgRoot, 'templates'))) cpSync(join(pkgRoot, 'templates'), join(app, 'templates'), { recursive: true });
  return { app, dist: join(app, 'dist'), cli: join(app, 'dist', 'cli.js'), hookCjs: join(app, 'dist', 'hook.cjs') };
}

/** Names, sizes and mtimes of a folder's files: equal twice means nobody is writing it. */
function signature(dir) {
  return readdirSync(dir)
    .sort()
    .map((f) => {
      const st = statSync(join(dir, f));
      return `${f}:${st.size}:${st.mtimeMs}`;
    })
    .join('|');
}

/** Every relative import of every .js file in `dir` exists (a copy taken mid-build fails this). */
function distIsWhole(dir) {
  const files = readdirSync(dir);
  if (!files.includes('cli.js') || !files.includes('hook.cjs')) return false;
  let exportsFsStore = false;
  for (const f of files.filter((x) => x.endsWith('.js') || x.endsWith('.cjs'))) {
    const src = readFileSync(join(dir, f), 'utf8');
    if (/^export \{[^}]*\bopenLocalStore\b/m.test(src)) exportsFsStore = true;
    for (const m of src.matchAll(/(?:from\s*|import\()\s*["']\.\/([^"']+)["']/g)) if (!files.includes(m[1])) return false;
  }
  return exportsFsStore;
}

/**
 * The chunk file names are content hashes, so find names by the chunks' own `export { ... }`
 * lines and import the chunk that has it. Only chunk-*.js: they are side-effect-free modules.
 */
export function distExports(distDir) {
  const where = new Map();
  for (const f of readdirSync(distDir)) {
    if (!/^chunk-.*\.js$/.test(f)) continue;
    const src = readFileSync(join(distDir, f), 'utf8');
    for (const m of src.matchAll(/^export \{([^}]*)\};?$/gm)) {
      for (const part of m[1].split(',')) {
        const [local, exported] = part.trim().split(/\s+as\s+/);
        const name = (exported ?? local).trim();
        if (name && !where.has(name)) where.set(name, join(distDir, f));
      }
    }
  }
  return async function load(...names) {
    const out = {};
    for (const name of names) {
      const file = where.get(name);
      if (!file) throw new Error(`no chunk in ${distDir} exports ${name} (was the code renamed?)`);
      const mod = await import(pathToFileURL(file).href);
      out[name] = mod[name];
    }
    return out;
  };
}

export function makeTempRoot() {
  return mkdtempSync(join(tmpdir(), 'ci-bench-'));
}

export function removeTempRoot(root) {
  rmSync(root, { recursive: true, force: true });
}

/** Quote one argument for /bin/sh -c (as the product's hook-spec does). */
export function shq(arg) {
  return /^[A-Za-z0-9_\/.,:@%+=-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * A store of its own (one per benchmark, so figures do not mix) and helpers over it.
 * `api` holds FsStore, Intercom, processStart, newMessageId from the built code.
 */
export function makeWorld(root, name, api) {
  const home = join(root, name, 'store');
  const project = join(root, name, 'project');
  mkdirSync(project, { recursive: true });
  const store = api.FsStore.open(home);
  const intercom = new api.Intercom(store);
  const human = { kind: 'human', address: 'human:bench', projectRoot: project, projectName: name };

  /** Register a session for a (new) fake Claude Code process, as `serve` would. */
  const session = (claude = fakeClaude()) => {
    const p = store.register({
      pid: claude.pid,
      pidStart: api.processStart(claude.pid),
      serverPid: process.pid,
      projectRoot: project,
      projectName: name,
      cwd: project,
      startedAt: Date.now(),
    });
    return { ...p, claude };
  };

  /** The environment Claude Code gives a hook of that session (plus our store's location). */
  const env = (claudePid, extra = {}) => ({
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? root,
    CLAUDE_INTERCOM_HOME: home,
    CLAUDE_PID: String(claudePid),
    CLAUDE_CODE_ENTRYPOINT: 'cli',
    ...extra,
  });

  /** Put `n` unread messages in `code`'s inbox directly through the store (fast, same bytes as send). */
  const fill = (code, n, text = 'Heads up: I am rebasing feature/x onto main; please hold pushes for ten minutes.') => {
    for (let i = 0; i < n; i++) {
      const now = Date.now();
      store.deliver({ id: api.newMessageId(now), from: 'human:bench', to: code, text: `${text} (#${i})`, sentAt: now, fromProject: name }, [code]);
    }
  };

  const inboxDir = (code, box) => join(home, 'inbox', code, box);

  /**
   * Bulk fill for the large-inbox case: the same message bytes written straight into new/ (one
   * file each, not linked into the history). Readers cannot tell; deliver() would take ~7 s for 10k.
   */
  const fillFast = (code, n, text = 'Heads up: I am rebasing feature/x onto main; please hold pushes for ten minutes.') => {
    const dir = inboxDir(code, 'new');
    for (let i = 0; i < n; i++) {
      const now = Date.now();
      const m = { id: api.newMessageId(now), from: 'human:bench', to: code, text: `${text} (#${i})`, sentAt: now, fromProject: name };
      writeFileSync(join(dir, `${m.id}.json`), JSON.stringify(m), { mode: 0o600 });
    }
  };
  const count = (code, box = 'new') => readdirSync(inboxDir(code, box)).filter((f) => f.endsWith('.json')).length;

  /** Undo what a hook/peek claimed: shown/ -> new/ (renames; outside any timed region). */
  const unclaim = (code) => {
    const to = inboxDir(code, 'new');
    // shown/, and claims not yet moved on to shown/: claims/<id>.<token> beside the claim's marker
    // (<token>.claiming or <token>.shown), which goes too.
    const shown = inboxDir(code, 'shown');
    for (const f of readdirSync(shown)) renameSync(join(shown, f), join(to, f));
    const claims = join(home, 'inbox', code, 'claims');
    for (const f of existsSync(claims) ? readdirSync(claims) : []) {
      if (/^[0-9a-z]{17}\./.test(f)) renameSync(join(claims, f), join(to, `${f.slice(0, 17)}.json`));
      else unlinkSync(join(claims, f));
    }
  };

  /** Resolves when inbox/<code>/watcher.json names `pid` (fs.watch, no polling). */
  const leaseHeld = (code, pid, timeoutMs = 30_000) =>
    new Promise((resolveP, reject) => {
      const dir = join(home, 'inbox', code);
      let w;
      const done = (err) => {
        clearTimeout(t);
        w?.close();
        err ? reject(err) : resolveP();
      };
      const check = () => {
        try {
          if (JSON.parse(readFileSync(join(dir, 'watcher.json'), 'utf8')).pid === pid) done();
        } catch {
          /* not yet */
        }
      };
      const t = setTimeout(() => done(new Error(`watcher ${pid} did not take the lease of ${code} in ${timeoutMs} ms`)), timeoutMs);
      w = watch(dir, (_e, f) => (f === null || String(f) === 'watcher.json') && check());
      check();
    });

  return { home, project, store, intercom, human, session, env, fill, fillFast, count, unclaim, leaseHeld, inboxDir };
}

export function writeEmptyScript(root) {
  const f = join(root, 'empty.cjs');
  writeFileSync(f, '');
  return f;
}

