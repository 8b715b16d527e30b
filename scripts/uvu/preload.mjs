// `node --import ./scripts/uvu/preload.mjs suite.test.js` (what scripts/run-tests.mjs runs): every
// `import ... from 'uvu'` in the suite gets ./hooks.mjs instead, which is uvu with its suite hooks
// wrapped so that their errors are printed. uvu 0.5.6 runs a suite's `before` hooks inside a
// try/finally that returns from the finally: a throwing `before` hook fails the suite's tests
// (0 passed) without a word about why.
import { register } from 'node:module';

register(new URL('./loader.mjs', import.meta.url));
