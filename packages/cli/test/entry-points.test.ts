// Every entry point (cairn manager, cairn node, cairn up and the other process commands) is declared
// once and parsed by commander: --help is generated from the declaration and lists every flag the
// command accepts, and a wrong command line exits 2 with a line naming the flag. Errors and help
// are checked in-process (help is what commandHelp makes of the declaration); one child process
// checks that the binary prints it.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { commandHelp, parseCommandLine } from '@cairn/api';
import type { CommandSpec } from '@cairn/api';
import { AGENT_COMMAND } from '@cairn/agent';
import { MANAGER_COMMAND, NODE_CREDENTIAL_COMMAND } from '@cairn/manager';
import { run } from '../src/cli.js';
import { bufferIo } from '../src/io.js';
import { DOWN_COMMAND, RESTART_COMMAND, STATUS_COMMAND, UP_COMMAND } from '../src/up.js';
import { ETCD_AUTH_COMMAND } from '../src/up-etcd.js';
import { SUPPORT_BUNDLE_COMMAND } from '../src/support-bundle.js';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

function cairn(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [MAIN, ...args],
      { timeout: 60_000, env: { ...process.env, CAIRN_TOKEN: '' } },
      (e, out, err) => {
        done({ code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, out, err });
      },
    );
  });
}

const t = suite('entry points');

const ENTRY_POINTS: [string[], CommandSpec][] = [
  [['manager'], MANAGER_COMMAND],
  [['manager', 'node-credential'], NODE_CREDENTIAL_COMMAND],
  [['up'], UP_COMMAND],
  [['down'], DOWN_COMMAND],
  [['status'], STATUS_COMMAND],
  [['restart'], RESTART_COMMAND],
  [['support-bundle'], SUPPORT_BUNDLE_COMMAND],
  [['etcd-auth'], ETCD_AUTH_COMMAND],
];

t('the help of every process command lists every flag it declares', () => {
  for (const [words, spec] of ENTRY_POINTS) {
    const help = commandHelp(spec);
    assert.match(help, new RegExp(`^usage: cairn ${words.join(' ')}`), words.join(' '));
    for (const f of Object.keys(spec.flags))
      assert.match(help, new RegExp(`^  (-\\w, )?--${f} `, 'm'), `${words.join(' ')} --help lists --${f}`);
  }
});

t('cairn manager --help prints it, with the four flags the old usage text left out', async () => {
  const r = await cairn(['manager', '--help']);
  assert.is(r.code, 0, r.err);
  assert.is(r.out, commandHelp(MANAGER_COMMAND));
  for (const f of ['heartbeat-ms', 'snapshot-every', 'prefix', 'ready-file'])
    assert.match(r.out, new RegExp(`^  --${f} `, 'm'));
});

t("cairn node --help shows the admin commands and the agent's flags", async () => {
  const io = bufferIo();
  assert.is(await run(['node', '--help'], io), 0);
  assert.match(io.out(), /^usage: cairn node <command>/);
  assert.ok(io.out().endsWith(commandHelp(AGENT_COMMAND)), "the agent's help closes it");
});

t('a wrong command line exits 2 naming the flag or argument, for the manager, the agent and cairn up', async () => {
  for (const [args, line] of [
    [
      ['manager', '--etcd', 'http://127.0.0.1:9', '--bogus'],
      /^cairn: unknown flag --bogus for "cairn manager"; see "cairn manager --help"\n$/,
    ],
    [['manager', '--listen'], /^cairn: flag --listen needs a value \(HOST:PORT\)/],
    [['manager', '--token', 't'], /^cairn: --etcd is required; see "cairn manager --help"/],
    [
      ['manager', 'node-credential', '--node-key-file', '/nonexistent'],
      /^cairn: missing NODE: usage: cairn manager node-credential NODE --node-key-file FILE/,
    ],
    [
      ['node', '--manager', '127.0.0.1:9', '--node-id', 'n', '--nbd-port', '1'],
      /^cairn: unknown flag --nbd-port for "cairn node"; see "cairn node --help"/,
    ],
    [['node', '--manager', '127.0.0.1:9'], /^cairn: --node-id is required/],
    [['up', '--nodes', '0'], /^cairn: --nodes must be from 1 to 50, got "0"; see "cairn up --help"/],
    [['up', '--detach=yes'], /^cairn: flag --detach takes no value/],
    [['restart'], /^cairn: missing NAME: usage: cairn restart NAME/],
    [
      ['etcd-auth', '--etcd', 'http://127.0.0.1:9'],
      /^cairn: --etcd, --etcd-ca, --etcd-cert and --etcd-key are required/,
    ],
  ] as [string[], RegExp][]) {
    const io = bufferIo({ env: {} });
    assert.is(await run(args, io), 2, `${args.join(' ')}: ${io.err()}`);
    assert.match(io.err(), line, args.join(' '));
  }
});

t("a declaration's defaults, repeated flags and a --no-X flag of its own read as declared", () => {
  const p = parseCommandLine(AGENT_COMMAND, ['--manager', 'm:1', '--node-id', 'n', '--disk', '/a', '--disk=/b:ssd']);
  assert.equal(p.lists?.['disk'], ['/a', '/b:ssd']);
  assert.is(p.flags['data-host'], '127.0.0.1', 'a default');
  assert.is(p.flags['zone'], undefined, 'no default, not given');
  const spec: CommandSpec = {
    path: 'x',
    args: [],
    summary: '',
    flags: { wait: { type: 'boolean', help: '' }, 'no-wait': { type: 'boolean', help: '' } },
  };
  assert.equal(parseCommandLine(spec, ['--no-wait']).flags, { 'no-wait': true });
  assert.equal(parseCommandLine(spec, ['--wait']).flags, { wait: true });
});

t.run();
