#!/usr/bin/env node
// Runs every check and every uvu suite, then prints one line: "N passed, N failed".
// Checks: typecheck (tsc -b), generated protos current, dependency boundaries, lint (eslint),
// format (prettier --check). Suites: every
// *.test.js under packages/*/dist/test and test/dist, each in its own process (they start real
// etcd members and must not share them), two at a time (CAIRN_TEST_JOBS) on this 2-core machine.
//   node scripts/run-tests.mjs [filter]   runs only the checks and suites whose name contains the
//   filter; `checks` runs every check and no suite.
// A suite passes when uvu's summary says every test passed and none was skipped: uvu leaves a
// test.skip (and the tests a test.only leaves out) out of "Total:" and counts it under "Skipped:".
// Suites run with scripts/uvu/preload.mjs, which prints the error of a throwing before/after hook,
// each with its own TMPDIR: what a suite leaves running there (at a time-out, say) is ended after it.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const PRELOAD = join(root, 'scripts', 'uvu', 'preload.mjs');
const filter = process.argv[2] ?? '';
const SUITE_TIMEOUT_MS = Number(process.env.CAIRN_SUITE_TIMEOUT_MS ?? 240_000);
let passed = 0,
  failed = 0;
const failures = [];

/**
 * Runs one command; resolves with its exit code and output. It resolves when the command has
 * exited and its output is drained ('close'), or, when something it started still holds its
 * output open (an agent spawned with stdio 'inherit'), a few seconds after it exited: a process
 * left behind must not keep the whole run waiting. At the time limit the command is killed, and so
 * is whatever `onTimeout` ends (a suite's own processes).
 */
function run(cmd, args, timeoutMs, stream = true, env = {}, onTimeout = () => {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0', ...env },
    });
    let out = '';
    let done = false;
    let drain = null;
    const finish = (code, signal) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(drain);
      resolve({ code: code ?? (signal ? 1 : 0), out });
    };
    child.stdout.on('data', (d) => {
      out += d;
      if (stream) process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      out += d;
      if (stream) process.stderr.write(d);
    });
    const timer = setTimeout(() => {
      out += `\n[timed out after ${timeoutMs} ms]\n`;
      if (stream) process.stdout.write(`\n[timed out after ${timeoutMs} ms]\n`);
      child.kill('SIGKILL');
      onTimeout();
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      drain = setTimeout(() => {
        out += '\n[its output was still held open 5 s after it exited, by a process it left running]\n';
        finish(code, signal);
      }, 5000);
    });
    child.on('close', finish);
  });
}

/** Runs one check; its output is printed whole when it ends (checks run side by side). */
async function check(name, cmd, args) {
  if (filter && filter !== 'checks' && !name.includes(filter)) return;
  const { code, out } = await run(cmd, args, 300_000, false);
  console.log(`\n== check: ${name}\n${out}`);
  if (code === 0) passed++;
  else {
    failed++;
    failures.push(`check ${name}`);
  }
}

function findTests(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

// typecheck first (the build the others read); then the rest in two lines side by side (2 cores).
await check('typecheck', 'npx', ['--no-install', 'tsc', '-b']);
const BOUNDARIES = ['--no-install', 'depcruise', '--config', '.dependency-cruiser.cjs', 'packages', 'test', 'bench'];
await Promise.all([
  (async () => {
    await check('generated-protos', 'node', ['scripts/gen-protos.mjs', '--check']);
    await check('boundaries', 'npx', BOUNDARIES);
    await check('format', 'npx', ['--no-install', 'prettier', '--check', '**/*.{ts,js,mjs,cjs}']);
  })(),
  check('lint', 'npx', ['--no-install', 'eslint', '--max-warnings', '0', '.']),
]);

const suites = [
  ...readdirSync(join(root, 'packages')).flatMap((p) => findTests(join(root, 'packages', p, 'dist', 'test'))),
  ...findTests(join(root, 'test', 'dist')),
]
  .sort()
  .filter((f) => relative(root, f).includes(filter));

// uvu colours its summary with ANSI escapes (ESC [ ... m) even without a terminal.
const ESCAPES = new RegExp(String.raw`\u001b\[[0-9;]*m`, 'g');
const strip = (s) => s.replace(ESCAPES, '');
// Suites run JOBS at a time (CAIRN_TEST_JOBS, default 2): most of their time is spent waiting on
// etcd, processes and the kernel, not on the CPU. Each suite's output is printed whole when it
// ends (as it comes when JOBS is 1). The chaos suite times fio and injects faults on a schedule:
// it runs alone, after the others. (The manager's Kubernetes-loop suite ran alone too after it hung
// beside another suite: its nodes' 5 s leases lapsed under load, so its volume was never placed and
// its wait had no bound. It now uses a 30 s lease and bounded waits, and runs with the others.)
const JOBS = Math.max(1, Number(process.env.CAIRN_TEST_JOBS ?? 2));
const ALONE = ['chaos.test'];
const limitOf = (rel) =>
  rel.includes('chaos.test')
    ? Math.max(SUITE_TIMEOUT_MS, 300_000)
    : // The README run: a fresh clone's npm ci and build, then a demo.
      rel.includes('readme.test')
      ? Math.max(SUITE_TIMEOUT_MS, 600_000)
      : SUITE_TIMEOUT_MS;

/**
 * Ends every process that runs from or names `dir` (a suite's own TMPDIR): what a suite killed at
 * its time limit (or that forgot to clean up) left behind, `cairn up --detach` clusters and etcd
 * members included, which live in their own sessions and would outlive it. Returns how many.
 */
function killUnder(dir) {
  let n = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${pid}/cwd`);
      } catch {
        /* gone, or not ours to read */
      }
      if (cmd.includes(dir) || cwd.startsWith(dir)) {
        process.kill(Number(pid), 'SIGKILL');
        n++;
      }
    } catch {
      /* exited meanwhile */
    }
  }
  return n;
}

async function runSuite(file, stream) {
  const rel = relative(root, file);
  if (stream) console.log(`\n== suite: ${rel}`);
  const started = Date.now();
  // Each suite its own TMPDIR (short: unix socket paths under it must stay under 108 bytes), so
  // that what it leaves can be found, ended and removed when it ends, however it ends.
  const tmp = mkdtempSync(join(tmpdir(), 'ct-'));
  let code, out;
  try {
    ({ code, out } = await run(
      'node',
      ['--enable-source-maps', '--import', PRELOAD, file],
      limitOf(rel),
      stream,
      { TMPDIR: tmp },
      () => killUnder(tmp),
    ));
  } finally {
    const left = killUnder(tmp);
    if (left > 0) console.log(`   ${rel}: ended ${left} process(es) it left running`);
    try {
      rmSync(tmp, { recursive: true, force: true });
    } catch (e) {
      console.log(`   ${rel}: could not remove ${tmp}: ${e.message}`);
    }
  }
  if (!stream) console.log(`\n== suite: ${rel}\n${out}`);
  const text = strip(out);
  const total = Number(/Total:\s+(\d+)/.exec(text)?.[1] ?? NaN);
  const ok = Number(/Passed:\s+(\d+)/.exec(text)?.[1] ?? NaN);
  const skipped = Number(/Skipped:\s+(\d+)/.exec(text)?.[1] ?? NaN);
  if (Number.isNaN(total) || Number.isNaN(ok) || Number.isNaN(skipped)) {
    failed++;
    failures.push(`${rel} (no uvu summary, exit ${code}${/\[timed out after/.test(out) ? ', timed out' : ''})`);
    return;
  }
  passed += ok;
  // A skipped or left-out (test.only) test is a defect here: it counts as failed.
  const bad = total - ok + skipped;
  failed += bad;
  if (bad > 0 || code !== 0) {
    if (bad === 0) failed++;
    failures.push(`${rel} (${total - ok} failed, ${skipped} skipped, exit ${code})`);
  }
  console.log(`   ${rel}: ${ok}/${total} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

const shared = suites.filter((f) => !ALONE.some((a) => f.includes(a)));
const alone = suites.filter((f) => ALONE.some((a) => f.includes(a)));
// The longest suites first, so that they do not end last on their own.
shared.sort((a, b) => Number(b.includes('readme.test')) - Number(a.includes('readme.test')));
const queue = [...shared];
await Promise.all(
  Array.from({ length: Math.min(JOBS, queue.length) }, async () => {
    for (let f = queue.shift(); f; f = queue.shift()) await runSuite(f, JOBS === 1);
  }),
);
for (const f of alone) await runSuite(f, true);

if (failures.length) console.log(`\nfailed:\n  ${failures.join('\n  ')}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
