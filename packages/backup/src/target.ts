// Where backups live: a backup target URL names one, and openStore gives the one interface both
// kinds implement (BackupStore: put/get/has/list/delete of keys under the target). The URL forms
// are Longhorn's (s3://BUCKET@REGION/PREFIX) plus file:///ABSOLUTE/PATH (a directory, e.g. an NFS
// mount); credentials never appear in a URL, they come from a credential file (a Kubernetes
// Secret's data) with Longhorn's key names.
import { BackupError } from './errors.js';
import { FileStore } from './file-store.js';
import { S3Store } from './s3-store.js';
import type { BackupStore, TargetCredentials } from './store.js';

export type { BackupStore, TargetCredentials } from './store.js';

export type TargetUrl =
  | { kind: 's3'; bucket: string; region: string; prefix: string; url: string }
  | { kind: 'file'; path: string; url: string };

// S3's bucket naming rules (virtual-host compatible): 3-63 of a-z 0-9 . -, starting and ending
// with a letter or digit. Regions: us-east-1, eu-central-1, or whatever a compatible server says.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z0-9][a-z0-9-]{0,62}$/;
const SEGMENT = /^[A-Za-z0-9._~!$&'()*+,;=:@-]+$/;

const invalid = (url: string, why: string): BackupError => new BackupError('INVALID', `backup target "${url}": ${why}`);

/** The path's segments, checked: no empty, "." or ".." segments, no characters a key should not hold. */
function segments(url: string, path: string, what: string): string[] {
  const p = path.replace(/^\//, '').replace(/\/$/, '');
  if (p === '') return [];
  const parts = p.split('/');
  for (const s of parts) {
    if (s === '') throw invalid(url, `${what} has an empty segment ("//")`);
    if (s === '.' || s === '..') throw invalid(url, `${what} may not contain "${s}"`);
    if (!SEGMENT.test(s))
      throw invalid(
        url,
        `${what} segment "${s}" has characters other than letters, digits and . _ ~ - (percent-encoding is not accepted)`,
      );
  }
  return parts;
}

/**
 * Parses a backup target URL: `s3://BUCKET@REGION/` or `s3://BUCKET@REGION/PREFIX` (Longhorn's
 * form), or `file:///ABSOLUTE/PATH`. The result's `url` is the canonical spelling (no trailing
 * slash except for an S3 target without prefix), which backup URLs are built on. Throws
 * BackupError INVALID naming what is wrong; a query string or fragment is refused (a backup URL's
 * `?backup=&volume=` belongs to parseBackupUrl).
 */
export function parseTargetUrl(url: string): TargetUrl {
  if (typeof url !== 'string' || url.trim() === '') throw invalid(String(url), 'is empty');
  if (url !== url.trim()) throw invalid(url, 'has leading or trailing spaces');
  if (/[?#]/.test(url))
    throw invalid(url, 'may not have a query string or fragment (that is a backup URL, not a target)');
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
  if (scheme === 's3') {
    const m = /^s3:\/\/([^@/]*)@([^/]*)(\/.*)?$/i.exec(url);
    if (!m) throw invalid(url, 'is not s3://BUCKET@REGION/PREFIX (the region is required, after "@")');
    const bucket = m[1]!,
      region = m[2]!;
    if (!BUCKET.test(bucket) || bucket.includes('..'))
      throw invalid(url, `bucket "${bucket}" is not a valid S3 bucket name (3-63 of a-z 0-9 . -)`);
    if (!REGION.test(region)) throw invalid(url, `region "${region}" is not a region name (such as us-east-1)`);
    const prefix = segments(url, m[3] ?? '/', 'the prefix').join('/');
    return { kind: 's3', bucket, region, prefix, url: `s3://${bucket}@${region}/${prefix}` };
  }
  if (scheme === 'file') {
    const m = /^file:\/\/(localhost)?(\/.*)?$/i.exec(url);
    if (!m) throw invalid(url, 'is not file:///ABSOLUTE/PATH (a host other than localhost is not accepted)');
    const parts = segments(url, m[2] ?? '', 'the path');
    if (parts.length === 0) throw invalid(url, 'names the root directory; give a directory for the backups');
    const path = '/' + parts.join('/');
    return { kind: 'file', path, url: `file://${path}` };
  }
  if (scheme === 'nfs' || scheme === 'cifs' || scheme === 'azblob') {
    throw invalid(
      url,
      `${scheme}:// targets are not supported; mount the share and use file:///MOUNT/PATH, or use s3://`,
    );
  }
  throw invalid(url, 'has no supported scheme (s3://BUCKET@REGION/PREFIX or file:///PATH)');
}

const CREDENTIAL_KEYS: Record<string, keyof TargetCredentials> = {
  AWS_ACCESS_KEY_ID: 'accessKeyId',
  AWS_SECRET_ACCESS_KEY: 'secretAccessKey',
  AWS_ENDPOINTS: 'endpoint',
  AWS_REGION: 'region',
};

/**
 * Reads credentials in Longhorn's backup-target Secret names (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_ENDPOINTS, AWS_REGION), as KEY=VALUE lines (blank lines and # comments
 * skipped, optional quotes) or as a JSON object. Unknown keys (AWS_CERT, proxies) are ignored.
 * Throws BackupError INVALID when the text is neither, or an endpoint is not an http(s) URL.
 * The error never quotes a value (they are secrets).
 */
export function parseCredentialFile(text: string): TargetCredentials {
  const raw: Record<string, string> = {};
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let obj: unknown;
    try {
      obj = JSON.parse(trimmed);
    } catch {
      throw new BackupError('INVALID', 'backup credentials: not valid JSON');
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
      throw new BackupError('INVALID', 'backup credentials: JSON is not an object');
    for (const [k, v] of Object.entries(obj)) {
      if (typeof v !== 'string') throw new BackupError('INVALID', `backup credentials: ${k} is not a string`);
      raw[k] = v;
    }
  } else {
    trimmed.split(/\r?\n/).forEach((line, i) => {
      const l = line.trim();
      if (l === '' || l.startsWith('#')) return;
      const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(l);
      if (!m) throw new BackupError('INVALID', `backup credentials: line ${i + 1} is not KEY=VALUE`);
      let v = m[2]!;
      if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.endsWith(v[0])) v = v.slice(1, -1);
      raw[m[1]!] = v;
    });
  }
  const out: TargetCredentials = {};
  for (const [k, v] of Object.entries(raw)) {
    const field = CREDENTIAL_KEYS[k];
    if (field && v !== '') out[field] = v;
  }
  if (out.endpoint !== undefined) {
    // Longhorn allows a comma-separated list; one endpoint is what a target uses.
    out.endpoint = out.endpoint.split(',')[0]!.trim();
    if (!/^https?:\/\/[^/\s]+/.test(out.endpoint))
      throw new BackupError('INVALID', 'backup credentials: AWS_ENDPOINTS is not an http:// or https:// URL');
  }
  if ((out.accessKeyId === undefined) !== (out.secretAccessKey === undefined)) {
    throw new BackupError(
      'INVALID',
      'backup credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be given together',
    );
  }
  return out;
}

/** Opens the target named by `url` (parseTargetUrl's forms). S3 via @aws-sdk/client-s3, file via node:fs. */
export function openStore(url: string, creds: TargetCredentials = {}): BackupStore {
  const t = parseTargetUrl(url);
  return t.kind === 's3' ? new S3Store(t, creds) : new FileStore(t);
}
