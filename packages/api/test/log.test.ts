// The logger module (log.ts): levels filter, JSON lines carry level/time/msg and the fields given,
// child loggers add theirs, credentials are redacted by field name, the pretty format is one
// readable line, and the flags' bad values are refused naming the flag and the accepted values.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  createLogger,
  lineLogger,
  LOG_LEVELS,
  parseLogFormat,
  parseLogLevel,
  REDACTED,
  silentLogger,
} from '../src/log.js';
import type { LogFormat, LogLevel } from '../src/log.js';

const T0 = Date.UTC(2026, 11, 6, 5, 50, 0, 123);

/** A logger writing into an array, one entry per line written. */
function capture(
  level: LogLevel = 'info',
  format: LogFormat = 'json',
): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const log = createLogger({
    level,
    format,
    name: 'manager-1',
    now: () => T0,
    destination: { write: (s: string) => lines.push(s) },
  });
  return { lines, log };
}

test('JSON: one object per line with level (its name), time, msg, name and the fields given; children add theirs', () => {
  const { lines, log } = capture();
  log
    .child({ component: 'reconciler' })
    .info({ volume: 'vol1', replica: 'vol1-r1', node: 'node-2', seq: 12 }, 'placed');
  assert.is(lines.length, 1);
  assert.ok(lines[0]!.endsWith('\n') && !lines[0]!.slice(0, -1).includes('\n'), 'one line');
  const o = JSON.parse(lines[0]!);
  assert.is(o.level, 'info');
  assert.is(o.time, '2026-12-06T05:50:00.123Z');
  assert.is(o.msg, 'placed');
  assert.is(o.name, 'manager-1');
  assert.is(o.component, 'reconciler');
  assert.equal([o.volume, o.replica, o.node, o.seq], ['vol1', 'vol1-r1', 'node-2', 12]);
  assert.is(o.pid, process.pid);
});

test("levels: below the logger's level nothing is written; each of the five is named as such", () => {
  for (const level of LOG_LEVELS) {
    const { lines, log } = capture(level);
    for (const l of LOG_LEVELS) log[l](`at ${l}`);
    const written = lines.map((s) => JSON.parse(s).level);
    assert.equal(written, LOG_LEVELS.slice(LOG_LEVELS.indexOf(level)), `at ${level}`);
  }
  const { lines, log } = capture('warn');
  log.info('quiet');
  log.child({ component: 'x' }).debug('quiet too');
  assert.is(lines.length, 0);
});

test('redaction: credentials given as fields never reach a line (top level and one down), other fields stay', () => {
  const { lines, log } = capture();
  const secret = 's3cr3t-value-123';
  log.info(
    {
      token: secret,
      password: secret,
      nodeKey: secret,
      key: secret,
      creds: { secretAccessKey: secret, accessKeyId: secret, AWS_SECRET_ACCESS_KEY: secret },
      request: { secrets: { a: secret } },
      volume: 'vol1',
    },
    'with secrets',
  );
  log.child({ authorization: `Bearer ${secret}` }).warn('child field');
  assert.is(lines.length, 2);
  for (const l of lines) assert.not.ok(l.includes(secret), l);
  const o = JSON.parse(lines[0]!);
  assert.is(o.token, REDACTED);
  assert.is(o.creds.secretAccessKey, REDACTED);
  assert.is(o.request.secrets, REDACTED);
  assert.is(o.volume, 'vol1');
  assert.is(JSON.parse(lines[1]!).authorization, REDACTED);
});

test('pretty: one readable line: UTC time, LEVEL, [name], component: message (control characters escaped), then the fields as JSON', () => {
  const { lines, log } = capture('debug', 'pretty');
  log
    .child({ component: 'reconciler' })
    .info({ volume: 'vol1', seq: 3, token: 'abc-secret' }, 'placed replica vol1-r1');
  log.debug('no fields');
  assert.is(lines.length, 2);
  assert.is(
    lines[0],
    '2026-12-06 05:50:00.123 INFO: [manager-1] reconciler: placed replica vol1-r1 {"volume":"vol1","seq":3,"token":"[redacted]"}\n',
  );
  assert.is(lines[1], '2026-12-06 05:50:00.123 DEBUG: [manager-1] no fields\n');
  // A message quoting what a client sent cannot forge a second line.
  log.warn('volume "a\n2026-12-06 00:00:00.000 ERROR: forged\u0007" refused');
  assert.is(
    lines[2],
    '2026-12-06 05:50:00.123 WARN: [manager-1] volume "a\\u000a2026-12-06 00:00:00.000 ERROR: forged\\u0007" refused\n',
  );
});

test('lineLogger hands each entry over as one readable line; silentLogger writes nothing', () => {
  const got: string[] = [];
  const log = lineLogger((l) => got.push(l));
  log.info({ volume: 'v' }, 'hello');
  log.debug('below info');
  assert.is(got.length, 1);
  assert.match(got[0]!, /INFO: hello \{"volume":"v"\}$/);
  const s = silentLogger();
  s.error('nothing');
  assert.is(s.isLevelEnabled('error'), false);
});

test('--log-level and --log-format: accepted values pass, absent gives the default, bad ones are refused by name', () => {
  for (const l of LOG_LEVELS) assert.is(parseLogLevel(l), l);
  assert.is(parseLogLevel(undefined), 'info');
  assert.throws(
    () => parseLogLevel('loud'),
    (e: Error) => e.message === '--log-level must be one of trace, debug, info, warn, error, got "loud"',
  );
  assert.throws(() => parseLogLevel('INFO'), /--log-level must be one of/);
  assert.is(parseLogFormat('json'), 'json');
  assert.is(parseLogFormat('pretty'), 'pretty');
  assert.is(parseLogFormat(undefined), process.stdout.isTTY ? 'pretty' : 'json', 'pretty on a terminal, else json');
  assert.throws(
    () => parseLogFormat('xml'),
    (e: Error) => e.message === '--log-format must be one of json, pretty, got "xml"',
  );
});

test('an error passed as err keeps its message and stack in the JSON line', () => {
  const { lines, log } = capture();
  log.error({ err: new Error('disk gone') }, 'replica failed');
  const o = JSON.parse(lines[0]!);
  assert.is(o.err.message, 'disk gone');
  assert.match(o.err.stack, /Error: disk gone\n\s+at /);
});

test.run();
