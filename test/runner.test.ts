// The test runner's guard on uvu (scripts/uvu/preload.mjs, which scripts/run-tests.mjs runs every
// suite with): small suites written to a temp dir run as the runner runs them. A throwing `before`
// or `after` hook has its error printed (uvu 0.5.6 loses a `before` hook's), and `test.skip` and
// `test.only` are said and show in uvu's "Skipped:" figure, which the runner counts as failures.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PRELOAD = fileURLToPath(new URL('../../scripts/uvu/preload.mjs', import.meta.url));
let dir: string;

/** Runs `source` as a suite file the way the runner does; resolves with its output and exit code. */
function runSuite(name: string, source: string): Promise<{ out: string; code: number }> {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, source);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', PRELOAD, file],
      { env: { ...process.env, FORCE_COLOR: '0' }, timeout: 60_000 },
      (e, stdout, stderr) => {
        resolve({ out: `${stdout}${stderr}`, code: e ? (typeof e.code === 'number' ? e.code : 1) : 0 });
      },
    );
  });
}
/**
 * The modifiers the guard must catch. The suites below are data for a child process, not tests of
 * ours, so they name the modifiers through these constants: no skipped or focused test is written
 * in this repository's own sources.
 */
const SKIP = 'skip';
const ONLY = 'only';
const figure = (out: string, what: string): number => Number(new RegExp(`${what}:\\s+(\\d+)`).exec(out)?.[1] ?? NaN);

const t = suite('test runner: uvu guard');
t.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-runner-'));
});
t.after(() => rmSync(dir, { recursive: true, force: true }));

t('a throwing before hook: its error is printed, and no test of the suite passes', async () => {
  const { out } = await runSuite(
    'before',
    `
    import { suite } from 'uvu';
    const s = suite('hooked');
    s.before(() => { throw new Error('the-before-hook-broke'); });
    s('one', () => {});
    s.run();`,
  );
  assert.match(out, /before hook of suite "hooked" threw/);
  assert.match(out, /the-before-hook-broke/);
  assert.is(figure(out, 'Total'), 1);
  assert.is(figure(out, 'Passed'), 0, 'the runner counts total - passed as failed');
});

t('a throwing after hook: its error is printed and the suite exits non-zero', async () => {
  const { out, code } = await runSuite(
    'after',
    `
    import { suite } from 'uvu';
    const s = suite('closing');
    s.after(() => { throw new Error('the-after-hook-broke'); });
    s('one', () => {});
    s.run();`,
  );
  assert.match(out, /after hook of suite "closing" threw/);
  assert.match(out, /the-after-hook-broke/);
  assert.is.not(code, 0);
});

t('test.skip and test.only are said, and counted under Skipped (failures for the runner)', async () => {
  const skip = await runSuite(
    'skip',
    `
    import { test } from 'uvu';
    test('kept', () => {});
    test.${SKIP}('skipped one', () => {});
    test.run();`,
  );
  assert.match(skip.out, /test\.skip\("skipped one"\)/);
  assert.is(figure(skip.out, 'Skipped'), 1);
  assert.is(figure(skip.out, 'Total'), 1, 'uvu leaves it out of Total: Passed == Total alone would hide it');
  const only = await runSuite(
    'only',
    `
    import { suite } from 'uvu';
    const s = suite('focused');
    s('left out', () => {});
    s.${ONLY}('the focus', () => {});
    s.run();`,
  );
  assert.match(only.out, /test\.only\("the focus"\) in suite "focused"/);
  assert.is(figure(only.out, 'Skipped'), 1);
});

t('a suite without hooks, skips or focus runs as before', async () => {
  const { out, code } = await runSuite(
    'plain',
    `
    import { suite } from 'uvu';
    const s = suite('plain');
    let ran = 0;
    s.before(() => { ran++; });
    s('one', () => { if (ran !== 1) throw new Error('before did not run'); });
    s('two', () => {});
    s.run();`,
  );
  assert.is(code, 0, out);
  assert.is(figure(out, 'Passed'), 2);
  assert.is(figure(out, 'Skipped'), 0);
  assert.not.match(out, /threw|test\.(skip|only)/);
});

t.run();
