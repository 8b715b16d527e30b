// Structured logs (issue 17 point 4) from a real `cairn manager` process on a real etcd: with
// --log-format json every stdout line is a JSON object with level, time, msg and component; an
// appended event carries its volume and seq; every unary call gets a request id, a refused call
// is logged with it (and the caller gets the same id back), and with --log-level debug answered
// calls are logged too. Bad --log-level/--log-format values are refused, naming the flag and the
// values it takes, by `cairn manager`, `cairn node` and `cairn up` before anything starts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { adminClient } from '@cairn/api';
import type { AdminClient } from '@cairn/api';
import { EtcdCluster } from '@cairn/metadata';
import { CAIRN, eventually } from './support/cluster.js';

const TOKEN = 'logs-test-token-0123456789';
let dir = '';
let etcd: EtcdCluster | null = null;
let manager: ChildProcess | null = null;
let client: AdminClient | null = null;
let stdout = '';
let stderr = '';

interface Line {
  level: string;
  time: string;
  msg: string;
  component?: string;
  [k: string]: unknown;
}

/** Every stdout line so far, parsed (a line that is not JSON fails the test here). */
function lines(): Line[] {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      try {
        return JSON.parse(l) as Line;
      } catch {
        throw new Error(`not a JSON line: ${l}`);
      }
    });
}

function call<Res>(method: string, req: object): Promise<{ res?: Res; err?: grpc.ServiceError }> {
  return new Promise((resolve) => {
    (client as unknown as Record<string, (r: object, cb: (e: grpc.ServiceError | null, r: Res) => void) => void>)[
      method
    ]!.call(client, req, (err, res) => resolve(err ? { err } : { res }));
  });
}

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-logs-'));
  etcd = await EtcdCluster.start({ dir: join(dir, 'etcd') });
  const ready = join(dir, 'ready.json');
  manager = spawn(
    process.execPath,
    [
      CAIRN,
      'manager',
      '--etcd',
      etcd.endpoints.join(','),
      '--token',
      TOKEN,
      '--listen',
      '127.0.0.1:0',
      '--id',
      'm-json',
      '--ready-file',
      ready,
      '--log-format',
      'json',
      '--log-level',
      'debug',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  manager.stdout!.on('data', (d) => {
    stdout += d;
  });
  manager.stderr!.on('data', (d) => {
    stderr += d;
  });
  const address = await eventually('the manager to be ready', 30_000, async () => {
    if (manager!.exitCode !== null) throw new Error(`the manager exited: ${stderr}`);
    return existsSync(ready) ? (JSON.parse(readFileSync(ready, 'utf8')) as { address: string }).address : null;
  });
  client = adminClient(address, { token: TOKEN });
});

test.after(async () => {
  client?.close();
  if (manager && manager.exitCode === null) {
    const exited = new Promise((r) => manager!.once('exit', r));
    manager.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (manager.exitCode === null) manager.kill('SIGKILL');
  }
  await etcd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('--log-format json: every line is JSON with level, time, msg and component; the start is logged at info', async () => {
  const all = await eventually('the manager to say it serves and leads', 20_000, async () => {
    const l = lines();
    return l.some((x) => /is the leader/.test(x.msg)) ? l : null;
  });
  for (const l of all) {
    assert.ok(['trace', 'debug', 'info', 'warn', 'error'].includes(l.level), `level of ${JSON.stringify(l)}`);
    assert.ok(!Number.isNaN(Date.parse(l.time)), `time of ${JSON.stringify(l)}`);
    assert.type(l.msg, 'string');
    assert.type(l.component, 'string', `component of ${JSON.stringify(l)}`);
    assert.is(l['name'], 'm-json');
  }
  const serving = all.find((l) => /serving on/.test(l.msg));
  assert.ok(serving, 'the start is logged');
  assert.is(serving!.level, 'info');
  assert.is(serving!.component, 'manager');
  assert.is(serving!.seq, 0);
});

test('an appended event is logged with its volume and seq; answered calls at debug with a request id and the volume', async () => {
  const r = await call<{ name: string }>('CreateVolume', { name: 'logvol', size: 64 * 2 ** 20, numberOfReplicas: 1 });
  assert.ok(r.res, r.err?.message);
  const created = await eventually('the VolumeCreated line', 10_000, async () =>
    lines().find((l) => l.event === 'VolumeCreated' && l.volume === 'logvol'),
  );
  assert.is(created.level, 'info');
  assert.is(created.component, 'event-log');
  assert.is(created.actor, 'admin');
  assert.type(created.seq, 'number');
  assert.ok((created.seq as number) >= 1);
  // No node: the reconciler says why it cannot place the replica, as an event of that volume.
  await eventually('the VolumeUnschedulable line', 10_000, async () =>
    lines().find((l) => l.event === 'VolumeUnschedulable' && l.volume === 'logvol' && l.actor === 'manager/m-json'),
  );
  const answered = lines().find((l) => l.method === 'CreateVolume' && l.level === 'debug');
  assert.ok(answered, 'the answered call is logged at debug');
  assert.is(answered!.volume, 'logvol');
  assert.is(answered!.component, 'admin-api');
  assert.match(String(answered!.reqId), /^[0-9a-f]{12}$/);
});

test('a refused call is logged with its request id, code and volume; the caller gets the same id', async () => {
  const r = await call('GetVolume', { name: 'no-such-volume' });
  assert.ok(r.err, 'refused');
  const id = r.err!.metadata.get('cairn-request-id')[0];
  assert.match(String(id), /^[0-9a-f]{12}$/, 'the id comes back in the status metadata');
  const line = await eventually('the refusal line', 10_000, async () =>
    lines().find((l) => l.reqId === id && l.method === 'GetVolume' && l.level !== 'debug'),
  );
  assert.is(line.level, 'info', "a refusal is the caller's to fix: info");
  assert.is(line.code, 'NOT_FOUND');
  assert.is(line.volume, 'no-such-volume');
  assert.match(line.msg, /GetVolume failed: volume "no-such-volume" does not exist/);
  // Two calls, two ids.
  const again = await call('GetVolume', { name: 'no-such-volume' });
  assert.is.not(again.err!.metadata.get('cairn-request-id')[0], id);
  assert.not.ok(stdout.includes(TOKEN), 'the token is never logged');
});

test('bad --log-level/--log-format values are refused by name, with the accepted values, before anything starts', async () => {
  const run = (args: string[]): Promise<{ code: number | null; err: string }> =>
    new Promise((resolve) => {
      const p = spawn(process.execPath, [CAIRN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr!.on('data', (d) => {
        err += d;
      });
      p.on('close', (code) => resolve({ code, err }));
    });
  const nowhere = join(dir, 'up-never');
  const cases: [string[], RegExp][] = [
    [
      ['manager', '--etcd', etcd!.endpoints[0]!, '--token', TOKEN, '--log-level', 'loud'],
      /--log-level must be one of trace, debug, info, warn, error, got "loud"/,
    ],
    [
      ['manager', '--etcd', etcd!.endpoints[0]!, '--token', TOKEN, '--log-format', 'xml'],
      /--log-format must be one of json, pretty, got "xml"/,
    ],
    [
      ['node', '--manager', '127.0.0.1:1', '--node-id', 'n1', '--log-level', 'INFO'],
      /--log-level must be one of trace, debug, info, warn, error, got "INFO"/,
    ],
    [
      ['node', '--manager', '127.0.0.1:1', '--node-id', 'n1', '--log-format', 'text'],
      /--log-format must be one of json, pretty, got "text"/,
    ],
    [
      ['up', '--dir', nowhere, '--log-level', 'verbose'],
      /--log-level must be one of trace, debug, info, warn, error, got "verbose"/,
    ],
  ];
  for (const [args, re] of cases) {
    const r = await run(args);
    assert.is.not(r.code, 0, args.join(' '));
    assert.match(r.err, re, args.join(' '));
  }
  assert.not.ok(existsSync(nowhere), 'cairn up started nothing');
});

test.run();
