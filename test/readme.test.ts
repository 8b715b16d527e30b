// The README's quick start and "try" commands, exactly as printed, on a fresh clone of the
// repository (git clone of the committed HEAD, not this working tree): the first command is an
// `npx cairn` before anything is installed or built, which is how a new user's checkout used to be
// poisoned for good (npx cached the checkout without its bin). Then `npm start` (the demo, stopped
// with Ctrl-C as the README says), `npx cairn up --detach`, and every line of the "try" block in
// order. `npm test` is the one quick-start command not run here: this is npm test (CI runs it on a
// fresh clone itself).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
let dir = '';
let clone = '';

/** The commands of the README's ```sh block that follows `marker`, comments dropped. */
function block(marker: string): string[] {
  const at = README.indexOf(marker);
  assert.ok(at >= 0, `the README has "${marker}"`);
  const m = /```sh\n([\s\S]*?)```/.exec(README.slice(at));
  assert.ok(m, `a sh block follows "${marker}"`);
  return m![1]!
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l && !l.startsWith('#'));
}

/** Runs a command line as a user types it, in the clone; stdin is not a terminal. */
function sh(cmd: string, timeoutMs = 300_000): { code: number; out: string; err: string } {
  const r = spawnSync('sh', ['-c', cmd], {
    cwd: clone,
    encoding: 'utf8',
    timeout: timeoutMs,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { code: r.status ?? -1, out: r.stdout ?? '', err: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

/** Runs `cmd` until `done` holds of its output, then signals its process group; its exit code and output. */
function runUntil(
  cmd: string,
  done: (out: string) => boolean,
  signal: NodeJS.Signals,
  timeoutMs: number,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('sh', ['-c', cmd], { cwd: clone, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let sent = false;
    const timer = setTimeout(() => {
      process.kill(-p.pid!, 'SIGKILL');
      reject(new Error(`"${cmd}" did not get there in ${timeoutMs} ms:\n${out.slice(-3000)}`));
    }, timeoutMs);
    const seen = (b: Buffer): void => {
      out += b.toString();
      if (!sent && done(out)) {
        sent = true;
        process.kill(-p.pid!, signal);
      }
    };
    p.stdout.on('data', seen);
    p.stderr.on('data', seen);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** The npx cache entries made for the clone (npm's cache: ~/.npm/_npx/<hash>). */
function npxEntries(): string[] {
  const cache = join(spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).stdout.trim(), '_npx');
  if (!existsSync(cache)) return [];
  return readdirSync(cache)
    .map((h) => join(cache, h))
    .filter((d) => {
      try {
        return readFileSync(join(d, 'package.json'), 'utf8').includes(clone);
      } catch {
        return false;
      }
    });
}

test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-readme-'));
  clone = join(dir, 'cairn');
  const r = spawnSync('git', ['clone', '--quiet', ROOT, clone], { encoding: 'utf8' });
  assert.is(r.status, 0, `git clone: ${r.stderr}`);
});

test.after(() => {
  if (clone && existsSync(join(clone, '.cairn'))) sh('npx cairn down', 60_000);
  for (const e of clone ? npxEntries() : []) rmSync(e, { recursive: true, force: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('an `npx cairn` before anything is installed or built sets the checkout up and runs; npx keeps the bin', () => {
  assert.not.ok(existsSync(join(clone, 'node_modules')), 'a fresh clone: nothing installed');
  const r = sh('npx cairn --version', 900_000);
  assert.is(r.code, 0, `npx cairn --version: ${r.err.slice(-2000)}`);
  assert.is(r.out.trim(), VERSION);
  assert.match(r.err, /not built yet in this checkout: running scripts\/setup\.sh/);
  const entries = npxEntries();
  assert.ok(
    entries.length >= 1 && entries.every((e) => existsSync(join(e, 'node_modules', '.bin', 'cairn'))),
    `npx linked the bin (${entries.join(', ')})`,
  );
  // ...so the next one runs at once, without setting up again.
  const again = sh('npx cairn --version', 60_000);
  assert.is(again.code, 0);
  assert.is(again.out.trim(), VERSION);
  assert.not.match(again.err, /setup/);
});

test('quick start: `npm start` runs the demo, and Ctrl-C stops the cluster', async () => {
  const cmds = block('## Quick start');
  assert.equal(cmds, ['npm start', 'npm test'], 'the quick start is npm start and npm test');
  const r = await runUntil(
    'npm start',
    (out) => out.includes('live view (Ctrl-C stops the cluster)'),
    'SIGINT',
    600_000,
  );
  assert.match(r.out, /demo: cairn volume create demo-vol --size 1Gi --replicas 3/);
  assert.match(r.out, /replica demo-vol-\S+ on node-\d/);
  assert.match(r.out, /the events that placed it/);
  assert.match(r.out, /stopping \.\.\./);
  // Ctrl-C reaches npm and its shell too, which end at once (no exit code to check, as in a
  // terminal); the cairn process stops the cluster and exits, which 'close' waited for.
  const left = spawnSync('pgrep', ['-f', join(clone, '.cairn')], { encoding: 'utf8' }).stdout.trim();
  assert.is(left, '', 'no process of the demo cluster is left');
});

test('"try": every command as printed, against `npx cairn up --detach`', async () => {
  const up = sh('npx cairn up --detach', 300_000);
  assert.is(up.code, 0, `npx cairn up --detach: ${up.err.slice(-2000)}`);
  const cmds = block('try:');
  assert.ok(cmds.length >= 8, `the try block: ${cmds.join(' | ')}`);
  assert.is(cmds[cmds.length - 1], 'npx cairn down');
  for (const cmd of cmds) {
    if (cmd.includes('--follow')) {
      // It follows until interrupted: it must print the events so far, then Ctrl-C ends it.
      const r = await runUntil(cmd, (out) => /VolumeCreated\s+vol1/.test(out), 'SIGINT', 60_000);
      assert.match(r.out, /VolumeCreated\s+vol1/, cmd);
      continue;
    }
    const r = sh(cmd, 120_000);
    assert.is(r.code, 0, `${cmd}: exit ${r.code}\n${r.out}${r.err}`);
    if (cmd.includes('volume get vol1')) assert.match(r.out, /vol1/);
    if (cmd.includes('volume attach vol1')) assert.match(r.out, /nbd\+unix:\/\/\/vol1\?socket=/);
    if (cmd.includes('audit explain vol1')) assert.match(r.out, /vol1-r\S+/);
    if (cmd.includes('status -o json'))
      assert.ok(JSON.parse(r.out).manager.csiEndpoint, "status names the manager's CSI socket");
  }
  assert.not.ok(
    existsSync(join(clone, '.cairn', 'cluster.json')) && spawnSync('pgrep', ['-f', join(clone, '.cairn')]).status === 0,
    'down stopped it',
  );
});

test.run();
