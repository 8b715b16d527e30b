// Identity over a real unix socket, and the log redaction every CSI handler goes through.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as http2 from 'node:http2';
import { connect } from 'node:net';
import { GRPC_MAX_CONCURRENT_STREAMS, GRPC_MAX_MESSAGE_BYTES, lineLogger, silentLogger } from '@cairn/api';
import { CsiClient, CsiError, csiProto, DRIVER_NAME, identityHandlers, redact, serveUnix } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'cairn-csi-id-'));

test('GetPluginInfo, GetPluginCapabilities and Probe answer over the socket', async () => {
  const proto = csiProto();
  let ready = false;
  const server = await serveUnix(join(dir, 'csi.sock'), (s) =>
    s.addService(proto.csi.v1.Identity.service, identityHandlers({ log: silentLogger(), ready: async () => ready })),
  );
  const client = new CsiClient(server.endpoint);
  try {
    const info = await client.call<{ name: string; vendorVersion: string }>('Identity', 'GetPluginInfo');
    assert.is(info.name, DRIVER_NAME);
    assert.match(info.vendorVersion, /^\d+\.\d+\.\d+/);
    const caps = await client.call<{
      capabilities: { service?: { type: string }; volumeExpansion?: { type: string } }[];
    }>('Identity', 'GetPluginCapabilities');
    assert.equal(caps.capabilities.map((c) => c.service?.type ?? `expansion:${c.volumeExpansion?.type}`).sort(), [
      'CONTROLLER_SERVICE',
      'VOLUME_ACCESSIBILITY_CONSTRAINTS',
      'expansion:OFFLINE',
    ]);
    assert.is((await client.call<{ ready: { value: boolean } }>('Identity', 'Probe')).ready.value, false);
    ready = true;
    assert.is((await client.call<{ ready: { value: boolean } }>('Identity', 'Probe')).ready.value, true);
  } finally {
    client.close();
    await server.close();
  }
});

test("Probe: an unhealthy plugin answers the spec's FAILED_PRECONDITION with its reason, not ready: false; logged with a request id", async () => {
  const proto = csiProto();
  const logged: string[] = [];
  const server = await serveUnix(join(dir, 'sick.sock'), (s) =>
    s.addService(
      proto.csi.v1.Identity.service,
      identityHandlers({
        log: lineLogger((l) => logged.push(l)),
        ready: async () => {
          throw new CsiError(grpc.status.FAILED_PRECONDITION, 'missing required programs: nbdfuse');
        },
      }),
    ),
  );
  const client = new CsiClient(server.endpoint);
  try {
    const e = await client.call('Identity', 'Probe').then(
      () => null,
      (err: grpc.ServiceError) => err,
    );
    assert.ok(e, 'Probe succeeded');
    assert.is(e.code, grpc.status.FAILED_PRECONDITION);
    assert.is(e.details, 'missing required programs: nbdfuse');
    assert.is(logged.length, 1);
    assert.match(
      logged[0]!,
      new RegExp(
        String.raw` WARN: csi Probe FAILED_PRECONDITION: missing required programs: nbdfuse request=\{\} ` +
          String.raw`\{"reqId":"[0-9a-f]{12}","method":"Probe","code":"FAILED_PRECONDITION"\}$`,
      ),
    );
  } finally {
    client.close();
    await server.close();
  }
});

test('the server advertises its stream cap in HTTP/2 SETTINGS and refuses a message over 4 MiB', async () => {
  const proto = csiProto();
  const server = await serveUnix(join(dir, 'limits.sock'), (s) =>
    s.addService(proto.csi.v1.Identity.service, identityHandlers({ log: silentLogger(), ready: async () => true })),
  );
  const session = http2.connect('http://localhost', { createConnection: () => connect(join(dir, 'limits.sock')) });
  session.on('error', () => undefined);
  try {
    const settings = await new Promise<http2.Settings>((resolve) => session.once('remoteSettings', resolve));
    assert.is(settings.maxConcurrentStreams, GRPC_MAX_CONCURRENT_STREAMS);
    // A framed gRPC message announcing more than the limit: refused RESOURCE_EXHAUSTED.
    const req = session.request({
      ':method': 'POST',
      ':path': '/csi.v1.Identity/GetPluginInfo',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    const frame = Buffer.alloc(5 + GRPC_MAX_MESSAGE_BYTES + 1);
    frame.writeUInt32BE(GRPC_MAX_MESSAGE_BYTES + 1, 1);
    req.end(frame);
    req.resume();
    const status = await new Promise<string | undefined>((resolve) => {
      req.on('trailers', (t) => resolve(String(t['grpc-status'])));
      req.on('response', (h) => {
        if (h['grpc-status'] !== undefined) resolve(String(h['grpc-status']));
      });
      req.on('close', () => resolve(undefined));
    });
    assert.is(status, String(grpc.status.RESOURCE_EXHAUSTED));
  } finally {
    session.destroy();
    await server.close();
  }
});

test('a stale socket file is replaced; any other file in the way is an error', async () => {
  const p = join(dir, 'stale.sock');
  const a = await serveUnix(p, () => undefined);
  // A killed process leaves its socket file behind: simulate by binding again over it.
  const b = await serveUnix(p, () => undefined);
  await b.close();
  await a.close();
  writeFileSync(join(dir, 'file'), 'x');
  await serveUnix(join(dir, 'file'), () => undefined).then(
    () => assert.unreachable('bound over a regular file'),
    (e: Error) => assert.match(e.message, /not a socket/),
  );
});

test('redact strips every secrets map, at any depth, and keeps the rest', () => {
  const req = { volumeId: 'v', secrets: { token: 'hunter2' }, nested: [{ secrets: { a: 'b' }, x: 1 }] };
  const out = JSON.stringify(redact(req));
  assert.not.match(out, /hunter2/);
  assert.not.match(out, /"a":"b"/);
  assert.match(out, /"volumeId":"v"/);
  assert.match(out, /"x":1/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
