// The cluster CA (pki.ts) against the TLS stacks that consume its certificates: Node's tls (what
// grpc-js and the replica and NBD servers use) and OpenSSL's own verifier.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createCa, issueCertificate } from '../src/pki.js';
import type { CertifiedKey } from '../src/pki.js';

const t = suite('pki');

/** Resolves when `p` rejects with a message matching `re`; fails the test when it resolves. */
async function rejects(p: Promise<unknown>, re: RegExp = /./): Promise<void> {
  const outcome = await p.then(
    () => 'resolved',
    (e: Error) => e,
  );
  if (outcome === 'resolved') assert.unreachable('expected a rejection');
  assert.match((outcome as Error).message, re);
}

/** Serves TLS with `server` (client certificates from `clientCa` required); resolves the peer's CN or rejects. */
async function handshake(
  server: CertifiedKey,
  clientCa: string,
  client: { ca: string; cert?: CertifiedKey; servername?: string },
): Promise<string> {
  const srv = createServer(
    { cert: server.cert, key: server.key, ca: clientCa, requestCert: true, rejectUnauthorized: true },
    (s) => {
      s.end(String(s.getPeerCertificate().subject?.CN ?? ''));
    },
  );
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    return await new Promise<string>((resolve, reject) => {
      const c = connect({
        host: '127.0.0.1',
        port: (srv.address() as AddressInfo).port,
        ca: client.ca,
        servername: client.servername,
        ...(client.cert ? { cert: client.cert.cert, key: client.cert.key } : {}),
      });
      let got = '';
      c.on('data', (d) => (got += d));
      // Under TLS 1.3 the client's handshake ends before the server judges its certificate: a refused
      // client sees the connection end with no answer.
      c.on('end', () => (got ? resolve(got) : reject(new Error('the server closed the connection without an answer'))));
      c.on('error', reject);
    });
  } finally {
    srv.close();
  }
}

t(
  'a server certificate for 127.0.0.1 and a client certificate from the same CA make a mutual TLS connection',
  async () => {
    const ca = await createCa();
    const server = await issueCertificate(ca, {
      commonName: 'manager-1',
      ips: ['127.0.0.1'],
      dns: ['localhost'],
      use: ['server'],
    });
    const client = await issueCertificate(ca, { commonName: 'node-1', organization: 'cairn:nodes', use: ['client'] });
    assert.is(await handshake(server, ca.cert, { ca: ca.cert, cert: client }), 'node-1');
  },
);

t(
  'a client certificate from another CA, or none, is refused; a server from another CA is refused by the client',
  async () => {
    const ca = await createCa();
    const other = await createCa('another CA');
    const server = await issueCertificate(ca, { commonName: 'manager-1', ips: ['127.0.0.1'], use: ['server'] });
    const stranger = await issueCertificate(other, { commonName: 'node-1', use: ['client'] });
    await rejects(handshake(server, ca.cert, { ca: ca.cert, cert: stranger }));
    await rejects(handshake(server, ca.cert, { ca: ca.cert }));
    const client = await issueCertificate(ca, { commonName: 'node-1', use: ['client'] });
    await rejects(
      handshake(server, ca.cert, { ca: other.cert, cert: client }),
      /self[- ]signed|unable to verify|certificate/i,
    );
  },
);

t('the server name is checked against the certificate: a certificate for another host is refused', async () => {
  const ca = await createCa();
  const server = await issueCertificate(ca, {
    commonName: 'node-2',
    ips: ['127.0.0.2'],
    dns: ['node-2'],
    use: ['server'],
  });
  const client = await issueCertificate(ca, { commonName: 'node-1', use: ['client'] });
  await rejects(
    handshake(server, ca.cert, { ca: ca.cert, cert: client, servername: 'node-3' }),
    /altnames|does not match/i,
  );
  assert.is(await handshake(server, ca.cert, { ca: ca.cert, cert: client, servername: 'node-2' }), 'node-1');
});

t('OpenSSL verifies the chain and reads the names, usages and validity the options asked for', async () => {
  const ca = await createCa('test CA', 10);
  const leaf = await issueCertificate(ca, {
    commonName: 'node-1',
    organization: 'cairn:nodes',
    dns: ['node-1'],
    ips: ['10.0.0.1'],
    use: ['server', 'client'],
    days: 30,
  });
  const dir = mkdtempSync(join(tmpdir(), 'cairn-pki-'));
  try {
    writeFileSync(join(dir, 'ca.pem'), ca.cert);
    writeFileSync(join(dir, 'leaf.pem'), leaf.cert);
    assert.match(
      execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.pem'), join(dir, 'leaf.pem')], { encoding: 'utf8' }),
      /leaf\.pem: OK/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const x = new X509Certificate(leaf.cert);
  assert.match(x.subject, /CN=node-1/);
  assert.match(x.subject, /O=cairn:nodes/);
  assert.match(x.subjectAltName ?? '', /DNS:node-1/);
  assert.match(x.subjectAltName ?? '', /IP Address:10\.0\.0\.1/);
  assert.equal(x.keyUsage?.sort(), ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
  const days = (Date.parse(x.validTo) - Date.now()) / 86_400_000;
  assert.ok(days > 29 && days <= 30, `valid for ${days} days`);
  assert.ok(x.checkIssued(new X509Certificate(ca.cert)));
  assert.ok(new X509Certificate(ca.cert).ca, 'the CA certificate says it is a CA');
  assert.not.ok(x.ca, 'a leaf certificate is no CA');
});

t('a common name cannot smuggle in another attribute', async () => {
  const ca = await createCa();
  const leaf = await issueCertificate(ca, { commonName: 'node-1,O=cairn:admins', use: ['client'] });
  const x = new X509Certificate(leaf.cert);
  assert.not.match(x.subject, /^O=cairn:admins$/m);
  assert.match(x.subject, /^CN=node-1\\,O=cairn:admins$/);
  await rejects(issueCertificate(ca, { commonName: '', use: ['client'] }), /common name/);
  await rejects(issueCertificate(ca, { commonName: 'x', use: [] }), /what it is for/);
});

t.run();
