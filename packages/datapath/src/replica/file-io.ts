// Positional reads and writes that finish the job (a FileHandle may transfer fewer bytes than
// asked), and an fsync of a directory so that created, renamed and removed names are durable.
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

/** Reads up to `length` bytes at `position` into `buf` at `at`; bytes past the end of file stay as they were. */
export async function readFully(fh: FileHandle, buf: Uint8Array, at: number, length: number, position: number): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, at + done, length - done, position + done);
    if (bytesRead === 0) return;
    done += bytesRead;
  }
}

export async function writeFully(fh: FileHandle, buf: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await fh.write(buf, done, buf.length - done, position + done);
    if (bytesWritten === 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
    done += bytesWritten;
  }
}

export async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
