// Which manager to talk to and how: flags, then environment, then the cluster.json that `cairn up`
// writes. Resolution reads files (cluster.json, the token file, the CA) but makes no connection.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CliError } from './errors.js';
import { parseDuration } from './args.js';

export const DEFAULT_CLUSTER_FILE = '.cairn/cluster.json';
export const DEFAULT_TIMEOUT_MS = 60_000;

/** The connection flags of a command line (GLOBAL_FLAGS), by flag name. */
export interface ConnectionFlags {
  endpoint?: string | undefined;
  token?: string | undefined;
  'token-file'?: string | undefined;
  cluster?: string | undefined;
  'tls-ca'?: string | undefined;
  timeout?: string | undefined;
}

/** What cluster.json holds that the CLI uses; `cairn up` writes more (pids, nodes, etcd). */
export interface ClusterFile {
  /** host:port of a manager's admin API. */
  admin: string;
  /** Path of the file that holds the bearer token (relative paths: to cluster.json's directory). */
  token?: string;
  /** Path of the CA certificate (PEM) when the manager serves TLS. */
  tlsCa?: string;
}

export interface Connection {
  endpoint: string;
  token?: string;
  /** Where the token came from, for error messages: "--token", "CAIRN_TOKEN", a file path; '' when none. */
  tokenSource: string;
  tlsCa?: Buffer;
  timeoutMs: number;
  /** The cluster.json that was used, if any. */
  clusterFile?: string;
}

type Env = Record<string, string | undefined>;

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Reads and checks a cluster.json; null when it does not exist and `required` is false. */
export function loadClusterFile(path: string, required: boolean): ClusterFile | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && !required) return null;
    throw new CliError(
      `cannot read cluster file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  let c: unknown;
  try {
    c = JSON.parse(text);
  } catch (e) {
    throw new CliError(`cluster file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (c === null || typeof c !== 'object' || Array.isArray(c))
    throw new CliError(`cluster file ${path} is not a JSON object`);
  const o = c as Record<string, unknown>;
  if (typeof o['admin'] !== 'string' || o['admin'] === '')
    throw new CliError(`cluster file ${path} has no "admin" address`);
  for (const k of ['token', 'tlsCa'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'string')
      throw new CliError(`cluster file ${path}: "${k}" must be a file path`);
  }
  const dir = dirname(path);
  return {
    admin: o['admin'],
    ...(typeof o['token'] === 'string' && o['token'] ? { token: resolve(dir, o['token']) } : {}),
    ...(typeof o['tlsCa'] === 'string' && o['tlsCa'] ? { tlsCa: resolve(dir, o['tlsCa']) } : {}),
  };
}

function tokenFromFile(path: string, source: string): { token: string; tokenSource: string } {
  const token = readText(path, `token file (${source})`).trim();
  if (!token) throw new CliError(`token file ${path} (${source}) is empty`);
  return { token, tokenSource: path };
}

/**
 * Resolves the connection. Each of endpoint, token and CA comes from the first of: its flag, its
 * environment variable, the cluster file (--cluster, CAIRN_CLUSTER, or ./.cairn/cluster.json).
 * The cluster file's token and CA are used only for the cluster file's own manager: when the
 * endpoint comes from a flag or the environment and differs from the file's "admin", they are
 * not sent to it (unless the file was named explicitly).
 */
export function resolveConnection(flags: ConnectionFlags, env: Env, cwd: string): Connection {
  const explicitCluster = flags.cluster ?? env['CAIRN_CLUSTER'];
  const clusterPath = resolve(cwd, explicitCluster ?? DEFAULT_CLUSTER_FILE);
  const given = flags.endpoint ?? env['CAIRN_ENDPOINT'];
  const cluster = loadClusterFile(clusterPath, explicitCluster !== undefined);
  if (given === undefined && !cluster) {
    throw new CliError(
      `no cluster to talk to: ${clusterPath} does not exist; start one with "cairn up", ` +
        'or give --endpoint HOST:PORT (or CAIRN_ENDPOINT) and --token (or CAIRN_TOKEN)',
    );
  }
  const endpoint = (given ?? cluster!.admin).trim();
  if (!endpoint)
    throw new CliError(`the endpoint is empty (${flags.endpoint !== undefined ? '--endpoint' : 'CAIRN_ENDPOINT'})`);
  const own =
    cluster && (given === undefined || explicitCluster !== undefined || given === cluster.admin) ? cluster : null;

  let tok: { token?: string; tokenSource: string } = { tokenSource: '' };
  if (flags.token !== undefined) tok = { token: flags.token.trim(), tokenSource: '--token' };
  else if (flags['token-file'] !== undefined) tok = tokenFromFile(resolve(cwd, flags['token-file']), '--token-file');
  else if (env['CAIRN_TOKEN'] !== undefined) tok = { token: env['CAIRN_TOKEN'].trim(), tokenSource: 'CAIRN_TOKEN' };
  else if (env['CAIRN_TOKEN_FILE'] !== undefined)
    tok = tokenFromFile(resolve(cwd, env['CAIRN_TOKEN_FILE']), 'CAIRN_TOKEN_FILE');
  else if (own?.token) tok = tokenFromFile(own.token, clusterPath);
  if (tok.token === '') throw new CliError(`the token from ${tok.tokenSource} is empty`);

  const caPath =
    flags['tls-ca'] !== undefined
      ? resolve(cwd, flags['tls-ca'])
      : env['CAIRN_TLS_CA'] !== undefined
        ? resolve(cwd, env['CAIRN_TLS_CA'])
        : own?.tlsCa;
  let tlsCa: Buffer | undefined;
  if (caPath !== undefined) {
    try {
      tlsCa = readFileSync(caPath);
    } catch (e) {
      throw new CliError(
        `cannot read the TLS CA file ${caPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
  }

  const timeoutText = flags.timeout ?? env['CAIRN_TIMEOUT'];
  const timeoutMs =
    timeoutText === undefined
      ? DEFAULT_TIMEOUT_MS
      : parseDuration(timeoutText, flags.timeout !== undefined ? '--timeout' : 'CAIRN_TIMEOUT');

  return {
    endpoint,
    ...(tok.token !== undefined ? { token: tok.token } : {}),
    tokenSource: tok.tokenSource,
    ...(tlsCa ? { tlsCa } : {}),
    timeoutMs,
    ...(cluster ? { clusterFile: clusterPath } : {}),
  };
}
