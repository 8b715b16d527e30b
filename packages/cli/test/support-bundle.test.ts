// The support bundle's scrubbing (support-bundle.ts): known secret values and secret-shaped texts
// are replaced wherever they appear; the rest of a log line stays readable.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lastLines, redact } from '../src/support-bundle.js';

test('known values go, whatever surrounds them; short values are not taken for secrets', () => {
  assert.is(redact('token=0123456789abcdef;next', ['0123456789abcdef']), 'token=[redacted];next');
  assert.is(
    redact('id abc here', ['abc']),
    'id abc here',
    'a value under 8 characters is not scrubbed (it would eat words)',
  );
});

test('secret-shaped texts go even when their value is not known: node tokens, bearer values, service-account tokens, private keys', () => {
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJl';
  const line = `call from cairn-node.node-9.AbCdEfGhIjKlMnOpQrStUvWxYz012345 with authorization: Bearer s3cr3t and ${jwt}`;
  assert.is(
    redact(line, []),
    'call from [node token redacted] with authorization: Bearer [redacted] and [service-account token redacted]',
  );
  const pem = 'before\n-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB\nxyz\n-----END EC PRIVATE KEY-----\nafter';
  assert.is(redact(pem, []), 'before\n[private key redacted]\nafter');
  const cert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
  assert.is(redact(cert, []), cert, 'a certificate is public: it stays');
});

test('lastLines keeps the last n lines', () => {
  assert.is(lastLines('a\nb\nc\n', 2), 'b\nc\n');
  assert.is(lastLines('a\nb', 5), 'a\nb\n');
  assert.is(lastLines('', 3), '');
});

test.run();
