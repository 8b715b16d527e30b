#!/usr/bin/env node
// The `cairn` command of this checkout (package.json "bin"). It is a committed file, not the build
// output, on purpose: `npx cairn` in a checkout links the package's bin when it first runs, and
// npm skips a bin whose file does not exist yet. A bin pointing into dist/ was therefore missing
// from npx's cache whenever the first `npx cairn` came before the build, and stayed missing after
// it. This file always exists; when the build does not (a fresh clone), it runs the set-up first
// (scripts/setup.sh: system packages, npm ci, build; serialised with any other run of it).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const main = new URL('../packages/cli/dist/src/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write(
    'cairn: not built yet in this checkout: running scripts/setup.sh (npm ci and the build) first\n',
  );
  const r = spawnSync('bash', ['scripts/setup.sh'], { cwd: root, stdio: ['ignore', process.stderr, process.stderr] });
  if (r.status !== 0 || !existsSync(fileURLToPath(main))) {
    process.stderr.write(
      `cairn: the set-up failed (exit ${r.status ?? r.signal}); run \`bash scripts/setup.sh\` in ${root} and see why\n`,
    );
    process.exit(1);
  }
}
await import(main.href);
