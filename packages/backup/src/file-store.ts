// The file:// target: keys are files under a directory (a local disk, or an NFS or SMB share
// mounted there). A put writes a temporary file, syncs it, renames it into place and syncs the
// directory, so a reader (or a crash) sees the old object or the new one, never part of one, and
// an object a put returned for survives a crash.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BackupError } from './errors.js';
import type { BackupStore } from './store.js';

const TMP = '.tmp-';

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export class FileStore implements BackupStore {
  readonly url: string;
  private readonly root: string;
  private rootChecked: Promise<void> | null = null;

  constructor(t: { path: string; url: string }) {
    this.url = t.url;
    this.root = t.path;
  }

  private path(key: string): string {
    if (key.startsWith('/') || key.split('/').some((s) => s === '..' || s === '.'))
      throw new BackupError('INVALID', `backup key "${key}" is not a relative path`);
    return join(this.root, key);
  }

  private fail(e: unknown, what: string): never {
    const err = e as NodeJS.ErrnoException;
    if (err instanceof BackupError) throw err;
    if (err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EROFS')
      throw new BackupError('DENIED', `${this.url}: ${what}: ${err.message}`);
    throw new BackupError('UNREACHABLE', `${this.url}: ${what}: ${err.message}`);
  }

  async put(key: string, body: Buffer): Promise<void> {
    const file = this.path(key);
    const tmp = join(dirname(file), `${TMP}${randomBytes(6).toString('hex')}`);
    try {
      // The target directory itself is never made: an unmounted share must not fill the node's disk.
      await (this.rootChecked ??= this.probe().catch((e) => {
        this.rootChecked = null;
        throw e;
      }));
      const made = await mkdir(dirname(file), { recursive: true });
      const fh = await open(tmp, 'w', 0o600);
      try {
        await fh.writeFile(body);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, file);
      // The new name (and any directory just made for it) durable too: the config is written
      // after its blocks, and must not survive a crash that the blocks' names do not.
      const dirs = [dirname(file)];
      if (made !== undefined)
        for (let d = dirname(file); d !== dirname(made) && d.length > this.root.length; d = dirname(d))
          dirs.push(dirname(d));
      for (const d of dirs) await syncDir(d);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      this.fail(e, `writing ${key}`);
    }
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.path(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT')
        throw new BackupError('NOT_FOUND', `${this.url}: ${key} does not exist`);
      this.fail(e, `reading ${key}`);
    }
  }

  async has(key: string): Promise<boolean> {
    try {
      return (await stat(this.path(key))).isFile();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      this.fail(e, `looking up ${key}`);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    const walk = async (rel: string): Promise<void> => {
      for (const name of await this.entries(rel)) {
        if (name.endsWith('/')) await walk(rel + name);
        else out.push(rel + name);
      }
    };
    await walk(prefix === '' || prefix.endsWith('/') ? prefix : prefix + '/');
    return out;
  }

  async listDir(prefix: string): Promise<string[]> {
    return this.entries(prefix === '' || prefix.endsWith('/') ? prefix : prefix + '/');
  }

  /** Names in the directory `rel` (subdirectories with '/'); a missing directory is empty; temporary files are left out. */
  private async entries(rel: string): Promise<string[]> {
    try {
      const ents = await readdir(this.path(rel === '' ? '.' : rel.slice(0, -1)), { withFileTypes: true });
      return ents.filter((d) => !d.name.startsWith(TMP)).map((d) => (d.isDirectory() ? d.name + '/' : d.name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      this.fail(e, `listing ${rel || '/'}`);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.path(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.fail(e, `deleting ${key}`);
    }
  }

  /** The directory must exist (a share that is not mounted must not be filled on the node's root disk) and be writable. */
  async probe(): Promise<void> {
    let st;
    try {
      st = await stat(this.root);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT')
        throw new BackupError(
          'UNREACHABLE',
          `${this.url}: directory ${this.root} does not exist (is the share mounted?)`,
        );
      this.fail(e, 'checking the directory');
    }
    if (!st.isDirectory()) throw new BackupError('UNREACHABLE', `${this.url}: ${this.root} is not a directory`);
    try {
      await access(this.root, constants.W_OK | constants.X_OK);
    } catch (e) {
      this.fail(e, 'checking the directory is writable');
    }
  }

  close(): void {}
}
