// The cluster's certificate authority: what `cairn up` (and an operator preparing deploy/'s
// Secrets) uses to make a CA and the certificates every cairn process presents. TLS itself is
// Node's (node:tls, grpc-js); this module only issues, with @peculiar/x509 over WebCrypto, so no
// ASN.1 is written by hand here.
//
// Keys are ECDSA P-256 (fast to make, small, accepted by OpenSSL, Go's crypto/tls for etcd and
// GnuTLS for libnbd's tools). Every certificate and key is PEM; keys are PKCS#8.
//
// What this does not do: revocation (rotate the CA or re-issue instead: docs/security.md), keys in
// hardware, or anything an ACME or cert-manager setup would do in a real cluster.
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

/** A certificate and its private key, both PEM. */
export interface CertifiedKey {
  cert: string;
  key: string;
}

/** What a certificate is for: serving TLS, presenting itself as a TLS client, or both. */
export type CertificateUse = 'server' | 'client';

export interface IssueOptions {
  /** The subject's common name: the identity a peer reads (e.g. `node-1`, `manager-1`). */
  commonName: string;
  /** The subject's organisation: the role (e.g. `cairn:nodes`), read with the common name. */
  organization?: string;
  /** DNS names the certificate is valid for (servers). */
  dns?: string[];
  /** IP addresses the certificate is valid for (servers). */
  ips?: string[];
  use: CertificateUse[];
  /** Validity in days from now (default 825, the longest public CAs allow for a server). */
  days?: number;
  /** Clock for notBefore/notAfter; injected so tests can pin it. */
  now?: () => number;
}

/** A random positive serial number of 16 bytes (RFC 5280 allows up to 20). */
function serialNumber(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

async function pemKey(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** An RFC 4514 name; values are escaped so a common name cannot add attributes. */
function distinguishedName(cn: string, o?: string): x509.Name {
  const parts: Record<string, string[]>[] = [{ CN: [cn] }];
  if (o) parts.push({ O: [o] });
  return new x509.Name(parts);
}

/** Makes a self-signed CA certificate and its key (valid `days`, default ten years). */
export async function createCa(
  commonName = 'cairn cluster CA',
  days = 3650,
  now: () => number = Date.now,
): Promise<CertifiedKey> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const t = now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: distinguishedName(commonName),
    notBefore: new Date(t - 60_000),
    notAfter: new Date(t + days * DAY_MS),
    signingAlgorithm: ALG,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await pemKey(keys.privateKey) };
}

/** Issues a leaf certificate signed by `ca`, with a fresh key. */
export async function issueCertificate(ca: CertifiedKey, opts: IssueOptions): Promise<CertifiedKey> {
  if (!opts.commonName) throw new Error('a certificate needs a common name');
  if (opts.use.length === 0) throw new Error(`certificate "${opts.commonName}": say what it is for (server, client)`);
  const caCert = new x509.X509Certificate(ca.cert);
  const caKey = await webcrypto.subtle.importKey(
    'pkcs8',
    createPrivateKey(ca.key).export({ type: 'pkcs8', format: 'der' }),
    ALG,
    false,
    ['sign'],
  );
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const t = (opts.now ?? Date.now)();
  const names: x509.JsonGeneralName[] = [
    ...(opts.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(opts.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const usages: string[] = [];
  if (opts.use.includes('server')) usages.push(x509.ExtendedKeyUsage.serverAuth);
  if (opts.use.includes('client')) usages.push(x509.ExtendedKeyUsage.clientAuth);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: distinguishedName(opts.commonName, opts.organization),
    issuer: caCert.subjectName,
    notBefore: new Date(t - 60_000),
    notAfter: new Date(t + (opts.days ?? 825) * DAY_MS),
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: caKey as unknown as x509.X509CertificateCreateWithKeyParams['signingKey'],
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension(usages, false),
      ...(names.length ? [new x509.SubjectAlternativeNameExtension(names, false)] : []),
      await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await pemKey(keys.privateKey) };
}
