export declare const EXIT_OK = 0;
export declare const EXIT_ERROR = 1;
export declare const EXIT_USAGE = 2;
/** The command line is wrong: a bad or missing flag or argument. The message names it. */
export declare class UsageError extends Error {
    readonly command: string;
    constructor(message: string, command?: string);
}
/** Anything else the CLI itself finds wrong (no cluster.json, an unreadable file, a bad export). */
export declare class CliError extends Error {
    constructor(message: string, options?: {
        cause?: unknown;
    });
}
export interface GrpcError {
    code: number;
    details: string;
}
export declare function isGrpcError(e: unknown): e is GrpcError;
/** What the error line can say about the call, so that it points at the thing to check. */
export interface ErrorContext {
    /** The manager's address, when the command had resolved it. */
    endpoint?: string;
    /** Where the token came from ("--token", "CAIRN_TOKEN", "/path/token"), or '' when none was given. */
    tokenSource?: string;
    /** The deadline of unary calls, in ms. */
    timeoutMs?: number;
}
/** The line (without the "cairn: " prefix) for a gRPC error, chosen by status code. */
export declare function grpcErrorLine(e: GrpcError, ctx?: ErrorContext): string;
/** The one line and the exit code for anything a command threw. */
export declare function describeError(e: unknown, ctx?: ErrorContext): {
    line: string;
    exitCode: number;
};
//# sourceMappingURL=errors.d.ts.map