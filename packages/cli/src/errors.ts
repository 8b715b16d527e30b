// What goes wrong, as one line for people. Commands throw UsageError (the command line is wrong:
// exit 2) or CliError (anything else the CLI detects: exit 1); gRPC errors from the manager are
// mapped here by status code, never by their text, to a line that keeps the server's message.
import { status } from '@grpc/grpc-js';
import { isGrpcError, UsageError } from '@cairn/api';
import type { GrpcError } from '@cairn/api';

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;

/** The command line is wrong: a bad or missing flag or argument (the parser in @cairn/api throws it too). */
export { UsageError };

/** Anything else the CLI itself finds wrong (no cluster.json, an unreadable file, a bad export). */
export class CliError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** What the error line can say about the call, so that it points at the thing to check. */
export interface ErrorContext {
  /** The manager's address, when the command had resolved it. */
  endpoint?: string;
  /** Where the token came from ("--token", "CAIRN_TOKEN", "/path/token"), or '' when none was given. */
  tokenSource?: string;
  /** The deadline of unary calls, in ms. */
  timeoutMs?: number;
}

/** grpc-js's connection errors carry noise ("Last error: Error: ...", an empty "Resolution note:"). */
function tidy(details: string): string {
  return details
    .replace(/Last error: Error: /g, '')
    .replace(/\s*Resolution note:\s*$/, '')
    .replace(/\.\s*$/, '')
    .trim();
}

/** The line (without the "cairn: " prefix) for a gRPC error, chosen by status code. */
export function grpcErrorLine(e: GrpcError, ctx: ErrorContext = {}): string {
  const msg = tidy(e.details) || '(no message)';
  const at = ctx.endpoint ? ` at ${ctx.endpoint}` : '';
  switch (e.code) {
    case status.INVALID_ARGUMENT:
      return `invalid argument: ${msg}`;
    case status.NOT_FOUND:
      return `not found: ${msg}`;
    case status.ALREADY_EXISTS:
      return `already exists: ${msg}`;
    case status.FAILED_PRECONDITION:
      return `failed precondition: ${msg}`;
    case status.OUT_OF_RANGE:
      return `out of range: ${msg}`;
    case status.ABORTED:
      return `aborted (a concurrent change; try again): ${msg}`;
    case status.UNAUTHENTICATED: {
      const hint = ctx.tokenSource
        ? `check the token (it came from ${ctx.tokenSource})`
        : 'no token was given: pass --token or CAIRN_TOKEN, or point --cluster at a cluster.json';
      return `unauthenticated: ${msg}; ${hint}`;
    }
    case status.PERMISSION_DENIED:
      return `permission denied: ${msg}`;
    case status.UNAVAILABLE:
      // Node's TLS errors: the certificate is not from the CA given, or does not name the address.
      if (/certificate|self[- ]signed|altnames|\bSSL\b|\bTLS\b/i.test(msg)) {
        return (
          `the manager${at} failed the TLS check, nothing was sent: ${msg}` +
          `; is the CA (--tls-ca, CAIRN_TLS_CA or cluster.json's tlsCa) the one that signed its certificate?`
        );
      }
      return `cannot reach the manager${at}: ${msg}; is the cluster running? (cairn status)`;
    case status.DEADLINE_EXCEEDED:
      return `the manager${at} did not answer in time${ctx.timeoutMs ? ` (${ctx.timeoutMs / 1000} s; see --timeout)` : ''}: ${msg}`;
    case status.UNIMPLEMENTED:
      return `the manager${at} does not implement this call (an older version?): ${msg}`;
    case status.RESOURCE_EXHAUSTED:
      return `resource exhausted: ${msg}`;
    case status.CANCELLED:
      return `cancelled: ${msg}`;
    default:
      return `manager error (${status[e.code] ?? e.code}): ${msg}`;
  }
}

/** The one line and the exit code for anything a command threw. */
export function describeError(e: unknown, ctx: ErrorContext = {}): { line: string; exitCode: number } {
  if (e instanceof UsageError) {
    const help = e.command ? `; see "cairn ${e.command} --help"` : '; see "cairn help"';
    return { line: `${e.message}${help}`, exitCode: EXIT_USAGE };
  }
  if (isGrpcError(e)) return { line: grpcErrorLine(e, ctx), exitCode: EXIT_ERROR };
  return { line: e instanceof Error ? e.message : String(e), exitCode: EXIT_ERROR };
}
