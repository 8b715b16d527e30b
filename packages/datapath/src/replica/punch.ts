// fallocate(2) on a layer's data file, in this process: releasing a trimmed range's space
// (FALLOC_FL_PUNCH_HOLE) and zeroing a range while keeping it allocated (FALLOC_FL_ZERO_RANGE,
// for NBD's NO_HOLE). Node has no fallocate, so a small N-API addon (native/fallocate.c, built by
// node-gyp when npm installs this package) makes the one call on libuv's thread pool: a trim
// storm used to spawn a `fallocate` process per trim, under the range lock.
//
// Trim only promises that space *may* be released and the allocation map already says the blocks
// read as zeroes, so a failed punch (or a missing addon) costs space, never correctness. A zero
// range is different: its bytes are read back as data, so its failure is the caller's error,
// except "not supported here" (false), after which the caller writes zeroes itself.
import { createRequire } from 'node:module';
import { getSystemErrorName } from 'node:util';

interface Fallocate {
  fallocate(fd: number, mode: number, offset: number, length: number, done: (errno: number) => void): void;
  readonly KEEP_SIZE: number;
  readonly PUNCH_HOLE: number;
  readonly ZERO_RANGE: number;
}

/** The addon, or the reason it is not there (this file is dist/src/replica/punch.js). */
const addon: Fallocate | Error = (() => {
  try {
    return createRequire(import.meta.url)('../../../build/Release/fallocate.node') as Fallocate;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
})();

/** Why in-process fallocate is unavailable (the addon did not build or load), or null when it works. */
export const fallocateUnavailable: Error | null = addon instanceof Error ? addon : null;

let zeroRangeSupported = true;

function call(fd: number, mode: number, offset: number, length: number): Promise<void> {
  const f = addon as Fallocate;
  return new Promise((resolve, reject) => {
    f.fallocate(fd, mode, offset, length, (errno) => {
      if (errno === 0) resolve();
      else {
        const name = getSystemErrorName(-errno);
        reject(Object.assign(new Error(`fallocate(${offset}, ${length}): ${name}`), { code: name, errno: -errno }));
      }
    });
  });
}

/** Releases the space of [offset, offset+length) in the file `fd`; true when it was released. */
export function punchHole(file: { readonly fd: number }, offset: number, length: number): Promise<boolean> {
  if (addon instanceof Error || length <= 0) return Promise.resolve(false);
  return call(file.fd, addon.PUNCH_HOLE | addon.KEEP_SIZE, offset, length).then(
    () => true,
    () => false,
  );
}

/**
 * Makes [offset, offset+length) of `fd` read as zeroes with its space still allocated (the file's
 * size unchanged). False when the addon or the filesystem cannot (the caller then writes zeroes);
 * any other failure rejects.
 */
export async function zeroRange(file: { readonly fd: number }, offset: number, length: number): Promise<boolean> {
  if (addon instanceof Error || !zeroRangeSupported) return false;
  if (length <= 0) return true;
  try {
    await call(file.fd, addon.ZERO_RANGE | addon.KEEP_SIZE, offset, length);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EOPNOTSUPP' || code === 'ENOTSUP' || code === 'ENOSYS') {
      zeroRangeSupported = false;
      return false;
    }
    throw err;
  }
}
