// Command-line parsing: flags and arguments, and errors that name what is wrong.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  flagBool,
  flagEnum,
  flagInt,
  flagList,
  flagSize,
  parseCommand,
  parseDuration,
  usageLine,
} from '../src/args.js';
import type { CommandSpec } from '../src/args.js';
import { hoistGlobals } from '../src/cli.js';
import { UsageError } from '../src/errors.js';

const spec: CommandSpec = {
  path: 'volume create',
  args: ['NAME', '[EXTRA]'],
  summary: 's',
  flags: {
    size: { type: 'string', value: 'SIZE', required: true, help: '' },
    replicas: { type: 'string', help: '' },
    follow: { type: 'boolean', short: 'f', help: '' },
  },
};

function usageError(f: () => unknown, re: RegExp): void {
  try {
    f();
  } catch (e) {
    assert.instance(e, UsageError);
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`expected a UsageError matching ${re}`);
}

const t = suite('args');

t('parses positionals, string flags (both spellings), booleans and global flags', () => {
  const p = parseCommand(spec, ['vol-a', '--size', '1Gi', '--replicas=2', '-f', '-o', 'json', '--endpoint', 'h:1']);
  assert.equal(p.args, { NAME: 'vol-a', EXTRA: undefined });
  assert.equal(p.flags, { size: '1Gi', replicas: '2', follow: true, output: 'json', endpoint: 'h:1' });
});

t('flags may come before positionals; "--" ends flags', () => {
  const p = parseCommand(spec, ['--size', '1Gi', '--', '--weird-name']);
  assert.is(p.args['NAME'], '--weird-name');
});

t('errors name the flag or the argument', () => {
  usageError(() => parseCommand(spec, ['v', '--bogus']), /unknown flag --bogus for "cairn volume create"/);
  usageError(() => parseCommand(spec, ['v', '-x']), /unknown flag -x/);
  usageError(() => parseCommand(spec, ['v', '--size']), /flag --size needs a value \(SIZE\)/);
  usageError(() => parseCommand(spec, ['v', '--size', '--replicas', '3']), /flag --size needs a value/);
  usageError(() => parseCommand(spec, ['v', '--follow=yes']), /flag --follow takes no value/);
  usageError(
    () => parseCommand(spec, []),
    /missing NAME: usage: cairn volume create NAME \[EXTRA\] --size SIZE \[flags\]/,
  );
  usageError(() => parseCommand(spec, ['a', 'b', 'c']), /unexpected argument "c"/);
  usageError(() => parseCommand(spec, ['']), /NAME must not be empty/);
});

t('a UsageError knows its command, for the help hint', () => {
  try {
    parseCommand(spec, ['v', '--bogus']);
  } catch (e) {
    assert.is((e as UsageError).command, 'volume create');
  }
});

t('--help skips the argument checks', () => {
  const p = parseCommand(spec, ['--help']);
  assert.is(p.flags['help'], true);
});

t('usage line shows required flags', () => {
  assert.is(usageLine(spec), 'cairn volume create NAME [EXTRA] --size SIZE [flags]');
});

t('typed values: sizes, integers, booleans, lists, enums', () => {
  const p = parseCommand(spec, ['v', '--size', '1.5Gi', '--replicas', '3']);
  assert.is(flagSize(p, 'size'), 1.5 * 2 ** 30);
  assert.is(flagInt(p, 'replicas', { min: 1 }), 3);
  assert.is(flagInt(p, 'missing'), undefined);
  usageError(() => flagSize(parseCommand(spec, ['v', '--size', 'big']), 'size'), /--size: invalid size "big"/);
  usageError(
    () => flagInt(parseCommand(spec, ['v', '--size', '1', '--replicas', '0']), 'replicas', { min: 1 }),
    /--replicas: expected an integer of at least 1, got "0"/,
  );
  usageError(
    () => flagInt(parseCommand(spec, ['v', '--size', '1', '--replicas', '2.5']), 'replicas', { min: 1, max: 20 }),
    /from 1 to 20, got "2.5"/,
  );
  const b = (v: string) => flagBool(parseCommand(spec, ['v', '--size', '1', '--replicas', v]), 'replicas');
  assert.is(b('true'), true);
  assert.is(b('FALSE'), false);
  usageError(() => b('yes'), /--replicas: expected true or false, got "yes"/);
  const l = (v: string) => flagList(parseCommand(spec, ['v', '--size', '1', `--replicas=${v}`]), 'replicas');
  assert.equal(l('a, b,,c'), ['a', 'b', 'c']);
  assert.equal(l(''), []);
  usageError(
    () => flagEnum(parseCommand(spec, ['v', '--size', 'x']), 'size', ['a', 'b']),
    /--size: expected one of a, b, got "x"/,
  );
});

t('durations', () => {
  assert.is(parseDuration('30s'), 30_000);
  assert.is(parseDuration('2m'), 120_000);
  assert.is(parseDuration('500ms'), 500);
  assert.is(parseDuration('5'), 5000);
  usageError(() => parseDuration('soon'), /--timeout: expected a duration/);
  usageError(() => parseDuration('0s'), /--timeout/);
});

t('global flags before the command move behind it', () => {
  assert.equal(hoistGlobals(['-o', 'json', 'volume', 'ls']), ['volume', 'ls', '-o', 'json']);
  assert.equal(hoistGlobals(['--endpoint=h:1', '--token', 't', 'events', '-f']), [
    'events',
    '-f',
    '--endpoint=h:1',
    '--token',
    't',
  ]);
  assert.equal(hoistGlobals(['volume', 'ls', '-o', 'json']), ['volume', 'ls', '-o', 'json']);
  assert.equal(hoistGlobals(['--help']), ['--help']);
});

t.run();
