// The node's token file is read again when it changes: kubelet rotates a projected service-account
// token in place (an atomic swap of a symlinked directory), and an agent holding the first token
// would be refused once it expires.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tokenFromFile } from '../src/token-file.js';

test("the token is read at start, again after kubelet's atomic swap, and the last one serves while the file is absent", () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-token-'));
  try {
    // kubelet's layout: token -> ..data/token, ..data -> ..<timestamp> (swapped by rename).
    mkdirSync(join(dir, '..t1'));
    writeFileSync(join(dir, '..t1', 'token'), 'first\n');
    symlinkSync('..t1', join(dir, '..data'));
    symlinkSync('..data/token', join(dir, 'token'));
    const token = tokenFromFile(join(dir, 'token'));
    assert.is(token(), 'first');
    mkdirSync(join(dir, '..t2'));
    writeFileSync(join(dir, '..t2', 'token'), 'second-and-longer\n');
    symlinkSync('..t2', join(dir, '..data-tmp'));
    renameSync(join(dir, '..data-tmp'), join(dir, '..data'));
    assert.is(token(), 'second-and-longer');
    rmSync(join(dir, '..data'));
    assert.is(token(), 'second-and-longer', 'mid-swap: the last token');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing or empty token file is an error at start, naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-token-'));
  try {
    assert.throws(() => tokenFromFile(join(dir, 'absent')), /absent/);
    writeFileSync(join(dir, 'empty'), '\n');
    assert.throws(() => tokenFromFile(join(dir, 'empty')), /token file .*empty is empty/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
