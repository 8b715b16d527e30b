// uvu as the suites import it, with two defects of uvu 0.5.6 made visible (see ./preload.mjs):
// - a `before` or `after` hook that throws has its error printed, naming the suite and the hook
//   (uvu loses a `before` hook's error; the suite then reports 0 passed and nothing else);
// - `test.only` and `test.skip` print a line saying that the suite is not run whole (the runner
//   also counts uvu's "Skipped:" figure as failures).
import { exec, suite as uvuSuite, test } from 'uvu';

function report(what, name, err) {
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stdout.write(
    `\n  ${what} hook of suite "${name || '(default)'}" threw:\n    ${text.split('\n').join('\n    ')}\n`,
  );
}

function wrapHooks(t, name) {
  for (const what of ['before', 'after']) {
    const add = t[what];
    const each = add.each;
    t[what] = (fn) =>
      add(async (state) => {
        try {
          await fn(state);
        } catch (e) {
          report(what, name, e);
          throw e;
        }
      });
    t[what].each = each; // a failing before.each / after.each fails its test, and uvu prints that
  }
  const only = t.only;
  const skip = t.skip;
  t.only = (testName, handler) => {
    process.stdout.write(
      `\n  test.only("${testName}") in suite "${name || '(default)'}": the other tests do not run (counted as failures)\n`,
    );
    return only(testName, handler);
  };
  t.skip = (testName, handler) => {
    process.stdout.write(`\n  test.skip("${testName}") in suite "${name || '(default)'}": counted as a failure\n`);
    return skip(testName, handler);
  };
  return t;
}

wrapHooks(test, '');

export function suite(name = '', state = {}) {
  return wrapHooks(uvuSuite(name, state), name);
}
export { exec, test };
