// Test certificates for the NBD TLS listener, made with the openssl CLI: a CA that signs a server
// certificate (for 127.0.0.1 and localhost) and a client certificate, and a second CA with a
// client certificate of its own (a stranger's). Client directories follow libnbd's
// tls-certificates layout (ca-cert.pem, client-cert.pem, client-key.pem).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestPki {
  /** The server's material, PEM: what NbdServer.listen takes. */
  server: { cert: Buffer; key: Buffer; ca: Buffer };
  /** libnbd tls-certificates directory with a client certificate of the server's CA. */
  clientDir: string;
  /** The same layout, but the client certificate is signed by another CA. */
  strangerDir: string;
  /** Only the CA: the client can verify the server but has no certificate to show. */
  anonymousDir: string;
}

const openssl = (args: string[], cwd: string): void => {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
};

function makeCa(dir: string, name: string): void {
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      `${name}-key.pem`,
      '-subj',
      `/CN=${name}`,
      '-days',
      '2',
      '-out',
      `${name}-cert.pem`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
}

function makeLeaf(dir: string, name: string, ca: string, cn: string, ext: string): void {
  openssl(
    [
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      `${name}-key.pem`,
      '-subj',
      `/CN=${cn}`,
      '-out',
      `${name}.csr`,
    ],
    dir,
  );
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}-cert.pem`,
      '-CAkey',
      `${ca}-key.pem`,
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}-cert.pem`,
    ],
    dir,
  );
}

/** Makes the certificates under `dir` (which must exist). */
export function makeTestPki(dir: string): TestPki {
  makeCa(dir, 'ca');
  makeCa(dir, 'other-ca');
  makeLeaf(
    dir,
    'server',
    'ca',
    'localhost',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n',
  );
  makeLeaf(dir, 'client', 'ca', 'nbd-client', 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n');
  makeLeaf(dir, 'stranger', 'other-ca', 'nbd-client', 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n');
  const clientDir = (sub: string, leaf: string | null): string => {
    const d = join(dir, sub);
    mkdirSync(d, { mode: 0o700 });
    copyFileSync(join(dir, 'ca-cert.pem'), join(d, 'ca-cert.pem'));
    if (leaf) {
      copyFileSync(join(dir, `${leaf}-cert.pem`), join(d, 'client-cert.pem'));
      copyFileSync(join(dir, `${leaf}-key.pem`), join(d, 'client-key.pem'));
    }
    return d;
  };
  const read = (f: string): Buffer => readFileSync(join(dir, f));
  return {
    server: { cert: read('server-cert.pem'), key: read('server-key.pem'), ca: read('ca-cert.pem') },
    clientDir: clientDir('client', 'client'),
    strangerDir: clientDir('stranger', 'stranger'),
    anonymousDir: clientDir('anonymous', null),
  };
}
