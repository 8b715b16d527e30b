// The s3:// target through @aws-sdk/client-s3: keys are objects under the URL's prefix in its
// bucket. With an endpoint (an S3-compatible server: MinIO, Ceph RGW, s3rver) path-style
// addressing is used, as those servers expect. The SDK's own CRC checksums are turned off where
// S3 does not require them: every block carries its sha256 and restore verifies it (format.ts),
// and some compatible servers reject the newer checksum headers.
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { ListObjectsCommandOutput } from '@aws-sdk/client-s3';
import { BackupError } from './errors.js';
import type { BackupStore, TargetCredentials } from './store.js';

const DENIED = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'Forbidden',
  'InvalidToken',
  'ExpiredToken',
  'AuthorizationHeaderMalformed',
]);
const NETWORK = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'TimeoutError',
  'RequestTimeout',
]);

export class S3Store implements BackupStore {
  readonly url: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly where: string;

  constructor(t: { bucket: string; region: string; prefix: string; url: string }, creds: TargetCredentials) {
    this.url = t.url;
    this.bucket = t.bucket;
    this.prefix = t.prefix === '' ? '' : t.prefix + '/';
    this.where = creds.endpoint ? `${t.url} (endpoint ${creds.endpoint})` : t.url;
    // cairn runs on Node.js 20; the SDK warns (once, on stderr of whatever process uses it) that
    // its releases from 2027 will need 22. The locked version works on 20; the warning is noise in
    // the agent's and manager's logs.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    this.client = new S3Client({
      region: creds.region ?? t.region,
      ...(creds.endpoint ? { endpoint: creds.endpoint, forcePathStyle: true } : {}),
      ...(creds.accessKeyId && creds.secretAccessKey
        ? { credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey } }
        : {}),
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
  }

  private key(k: string): string {
    return this.prefix + k;
  }

  /** One mapping from what the SDK throws to BackupError codes; never quotes credentials. */
  private fail(e: unknown, what: string): never {
    if (e instanceof BackupError) throw e;
    const err = e as Error & { code?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
    const name = err.Code ?? err.name;
    const status = err.$metadata?.httpStatusCode;
    const msg = `${this.where}: ${what}: ${name}${err.message && err.message !== name ? ` (${err.message})` : ''}`;
    if (name === 'NoSuchBucket')
      throw new BackupError('NOT_FOUND', `${this.where}: bucket ${this.bucket} does not exist`);
    if (DENIED.has(name) || status === 403 || status === 401) throw new BackupError('DENIED', msg);
    if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) throw new BackupError('NOT_FOUND', msg);
    if (NETWORK.has(name) || (err.code !== undefined && NETWORK.has(err.code)))
      throw new BackupError('UNREACHABLE', msg);
    throw new BackupError('UNREACHABLE', msg);
  }

  async put(key: string, body: Buffer): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: this.key(key), Body: body, ContentLength: body.length }),
      );
    } catch (e) {
      this.fail(e, `writing ${key}`);
    }
  }

  async get(key: string): Promise<Buffer> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      if (!out.Body) return Buffer.alloc(0);
      const bytes = await out.Body.transformToByteArray();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (e) {
      this.fail(e, `reading ${key}`);
    }
  }

  async has(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      return true;
    } catch (e) {
      const err = e as Error & { $metadata?: { httpStatusCode?: number } };
      if (err.name === 'NotFound' || err.name === 'NoSuchKey' || err.$metadata?.httpStatusCode === 404) {
        if (err.name === 'NoSuchBucket') this.fail(e, `looking up ${key}`);
        return false;
      }
      this.fail(e, `looking up ${key}`);
    }
  }

  /**
   * Pages of keys under `prefix`, in key order. ListObjects (version 1) with Marker = the last key
   * seen: every S3 server has it, and s3rver's version 2 continuation tokens use DES, which
   * OpenSSL 3 no longer offers (any truncated V2 listing fails there).
   */
  private async *pages(prefix: string, maxKeys?: number, after?: string): AsyncGenerator<ListObjectsCommandOutput> {
    let marker = after;
    for (;;) {
      let out: ListObjectsCommandOutput;
      try {
        out = await this.client.send(
          new ListObjectsCommand({
            Bucket: this.bucket,
            Prefix: this.key(prefix),
            ...(marker ? { Marker: marker } : {}),
            ...(maxKeys ? { MaxKeys: maxKeys } : {}),
          }),
        );
      } catch (e) {
        this.fail(e, `listing ${prefix || '/'}`);
      }
      yield out;
      const last = out.Contents?.[out.Contents.length - 1]?.Key;
      if (!out.IsTruncated || last === undefined) return;
      marker = last;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const dir = prefix === '' || prefix.endsWith('/') ? prefix : prefix + '/';
    const out: string[] = [];
    for await (const page of this.pages(dir)) {
      for (const o of page.Contents ?? []) if (o.Key) out.push(o.Key.slice(this.prefix.length));
    }
    return out;
  }

  /**
   * One level of "directory" by skip-scanning: each request asks for the first key after the last
   * entry found (MaxKeys 1, StartAfter past everything under a found subdirectory), so it costs
   * one request per entry. A Delimiter listing would need fewer, but s3rver (the test server)
   * misses common prefixes that hold no object directly, and this layout has such levels.
   */
  async listDir(prefix: string): Promise<string[]> {
    const dir = prefix === '' || prefix.endsWith('/') ? prefix : prefix + '/';
    const full = this.key(dir);
    const out: string[] = [];
    let after: string | undefined;
    for (;;) {
      let key: string | undefined;
      for await (const page of this.pages(dir, 1, after)) {
        key = page.Contents?.[0]?.Key;
        break;
      }
      if (key === undefined || !key.startsWith(full)) return out;
      const rest = key.slice(full.length);
      const slash = rest.indexOf('/');
      if (slash < 0) {
        out.push(rest);
        after = key;
      } else {
        out.push(rest.slice(0, slash + 1));
        // Past every key under this subdirectory: the layout's names are A-Z a-z 0-9 . _ - and
        // '/', all of which sort before '~'.
        after = full + rest.slice(0, slash + 1) + '~';
      }
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
    } catch (e) {
      this.fail(e, `deleting ${key}`);
    }
  }

  /** The bucket exists and the credentials may read it (HeadBucket, then one listing under the prefix). */
  async probe(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (e) {
      const err = e as Error & { $metadata?: { httpStatusCode?: number } };
      // HeadBucket has no body, so a missing bucket is a bare 404.
      if (err.$metadata?.httpStatusCode === 404 || err.name === 'NotFound')
        throw new BackupError('NOT_FOUND', `${this.where}: bucket ${this.bucket} does not exist`);
      this.fail(e, 'checking the bucket');
    }
    for await (const _ of this.pages('')) break;
  }

  close(): void {
    this.client.destroy();
  }
}
