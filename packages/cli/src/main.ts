#!/usr/bin/env node
// The `cairn` binary: runs the command line (src/cli.ts routes it) and exits with its code.
import { run } from './cli.js';

// A reader that goes away (cairn events -f | head) ends the command, quietly, as in other tools.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

process.exitCode = await run(process.argv.slice(2));
// Output to a pipe is written as the reader takes it: exit only once all of it is out (an exit
// with writes queued cut a large -o json answer at whatever the pipe had taken).
await Promise.all(
  [process.stdout, process.stderr].map(
    (s) => new Promise<void>((done) => (s.writableLength === 0 ? done() : s.write('', () => done()))),
  ),
);
// Commands close what they open; an exit here also ends process commands that leave handles.
process.exit(process.exitCode);
