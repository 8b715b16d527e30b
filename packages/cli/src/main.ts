#!/usr/bin/env node
// The `cairn` command. Each subcommand lives in its own module; this file only routes.
import { demo } from './demo.js';
import { VERSION } from './version.js';

const USAGE = `cairn ${VERSION}: replicated block storage for Kubernetes

usage: cairn <command> [options]

commands:
  demo [--dir DIR]     start a local etcd, append a few events, and show the projected state,
                       its hash, and that a replay from seq 1 gives the same hash
  version              print the version
  help                 print this help`;

type Command = (args: string[]) => Promise<number>;

const commands: Record<string, Command> = {
  demo,
  version: async () => (console.log(VERSION), 0),
  help: async () => (console.log(USAGE), 0),
};

async function main(argv: string[]): Promise<number> {
  const [name = 'help', ...rest] = argv;
  const cmd = commands[name];
  if (!cmd) {
    console.error(`cairn: unknown command "${name}"; run "cairn help" for the list`);
    return 2;
  }
  return cmd(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    // One clear line for people; the stack only when asked for.
    console.error(`cairn: ${e instanceof Error ? e.message : String(e)}`);
    if (process.env.CAIRN_DEBUG) console.error(e);
    process.exit(1);
  },
);
