// Test fixtures other packages' suites import as '@cairn/backup/testing': a real S3 server
// (s3rver, in a child process on 127.0.0.1 with its data in a temp dir) and its credentials.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { TargetCredentials } from './store.js';

export interface S3Fixture {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  port: number;
  bucket: string;
  /** s3://BUCKET@us-east-1/ */
  target: string;
  /** s3rver's fixed keys (S3RVER/S3RVER) and the endpoint: what a credential Secret would hold. */
  credentials: Required<Pick<TargetCredentials, 'accessKeyId' | 'secretAccessKey' | 'endpoint'>>;
  /** The same as a KEY=VALUE credential file (Longhorn's names). */
  credentialFile: string;
  dir: string;
  pid: number;
  /** Stops the server and removes its data. */
  stop(): Promise<void>;
}

/** Starts s3rver with `bucket` (default "backups") created. Stop it in the suite's after-hook. */
export async function startS3rver(bucket = 'backups'): Promise<S3Fixture> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-s3rver-'));
  const child = spawn(process.execPath, [fileURLToPath(new URL('./s3rver-child.js', import.meta.url)), dir, bucket], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (l) => {
      try {
        resolve((JSON.parse(l) as { port: number }).port);
      } catch (e) {
        reject(e as Error);
      }
    });
    child.once('exit', (code) => reject(new Error(`s3rver exited (${code}) before listening`)));
    child.once('error', reject);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', endpoint };
  return {
    endpoint,
    port,
    bucket,
    target: `s3://${bucket}@us-east-1/`,
    credentials,
    dir,
    pid: child.pid!,
    credentialFile: `AWS_ACCESS_KEY_ID=S3RVER\nAWS_SECRET_ACCESS_KEY=S3RVER\nAWS_ENDPOINTS=${endpoint}\n`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.stdin!.end();
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
