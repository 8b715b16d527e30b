// Errors: one line, chosen by gRPC status code (never by text), keeping the server's message.
import { status } from '@grpc/grpc-js';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { describeError, grpcErrorLine, UsageError } from '../src/errors.js';
import { cairn } from './support.js';

function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details });
}

const t = suite('errors');

t('status codes map to lines that keep the message', () => {
  const line = (code: number, details: string) =>
    grpcErrorLine({ code, details }, { endpoint: 'h:1', tokenSource: '--token', timeoutMs: 5000 });
  assert.is(line(status.NOT_FOUND, 'volume "x" does not exist'), 'not found: volume "x" does not exist');
  assert.is(line(status.INVALID_ARGUMENT, 'size: must be positive'), 'invalid argument: size: must be positive');
  assert.is(
    line(status.ALREADY_EXISTS, 'volume "x" exists with other parameters'),
    'already exists: volume "x" exists with other parameters',
  );
  assert.is(line(status.FAILED_PRECONDITION, 'disk has replicas'), 'failed precondition: disk has replicas');
  assert.is(
    line(status.UNAUTHENTICATED, 'a valid bearer token is required'),
    'unauthenticated: a valid bearer token is required; check the token (it came from --token)',
  );
  assert.is(
    line(
      status.UNAVAILABLE,
      'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: ',
    ),
    'cannot reach the manager at h:1: No connection established. connect ECONNREFUSED 127.0.0.1:1; is the cluster running? (cairn status)',
  );
  assert.is(
    line(status.DEADLINE_EXCEEDED, 'Deadline exceeded'),
    'the manager at h:1 did not answer in time (5 s; see --timeout): Deadline exceeded',
  );
  assert.is(line(status.INTERNAL, 'boom'), 'manager error (INTERNAL): boom');
  assert.match(
    grpcErrorLine({ code: status.UNAUTHENTICATED, details: 'no' }),
    /no token was given: pass --token or CAIRN_TOKEN/,
  );
});

t('the text of a message never decides the mapping', () => {
  assert.is(grpcErrorLine({ code: status.INVALID_ARGUMENT, details: 'not found' }), 'invalid argument: not found');
});

t('usage errors exit 2 and point at help; others exit 1', () => {
  assert.equal(describeError(new UsageError('--size is required', 'volume create')), {
    line: '--size is required; see "cairn volume create --help"',
    exitCode: 2,
  });
  assert.equal(describeError(grpcError(status.NOT_FOUND, 'gone')), { line: 'not found: gone', exitCode: 1 });
  assert.equal(describeError(new Error('plain')), { line: 'plain', exitCode: 1 });
});

t('a command that fails prints one line on stderr and exits 1; CAIRN_DEBUG adds the stack', async () => {
  const impl = {
    getVolume: async () => {
      throw grpcError(status.NOT_FOUND, 'volume "x" does not exist');
    },
  };
  const r = await cairn(['volume', 'get', 'x'], impl);
  assert.is(r.code, 1);
  assert.is(r.out, '');
  assert.is(r.err, 'cairn: not found: volume "x" does not exist\n');
  const d = await cairn(['volume', 'get', 'x'], impl, { CAIRN_DEBUG: '1' });
  assert.match(d.err, /^cairn: not found: volume "x" does not exist\nError: 5 NOT_FOUND/);
  assert.match(d.err, /at /);
  const u = await cairn(['volume', 'ls'], {
    listVolumes: async () => {
      throw grpcError(status.UNAUTHENTICATED, 'bad token');
    },
  });
  assert.is(u.err, 'cairn: unauthenticated: bad token; check the token (it came from CAIRN_TOKEN)\n');
});

t.run();
