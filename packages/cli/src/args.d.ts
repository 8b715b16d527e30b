export interface FlagSpec {
    /** 'string' flags take a value (--size 1Gi or --size=1Gi); 'boolean' flags do not. */
    type: 'string' | 'boolean';
    short?: string;
    /** The placeholder shown in help, e.g. SIZE. */
    value?: string;
    /** Shown in the usage line; the command checks it (requireFlag) so that the error names it. */
    required?: boolean;
    help: string;
}
export interface CommandSpec {
    /** The words that name the command, e.g. "volume create". */
    path: string;
    /** Positional arguments in order: NAME is required, [NAME] optional. */
    args: string[];
    flags: Record<string, FlagSpec>;
    summary: string;
    /** Extra lines for --help. */
    notes?: string;
}
/** Flags every command accepts: where the manager is, how to authenticate, how to print. */
export declare const GLOBAL_FLAGS: Record<string, FlagSpec>;
export interface Parsed {
    /** Positional arguments by their declared name (without brackets). */
    args: Record<string, string | undefined>;
    /** Flags that were given: the text of string flags, true for boolean flags. */
    flags: Record<string, string | true | undefined>;
}
/** Checks argv (what follows the command's words) against the spec. */
export declare function parseCommand(spec: CommandSpec, argv: string[]): Parsed;
export declare function usageLine(spec: CommandSpec): string;
export declare function commandHelp(spec: CommandSpec): string;
export declare function flagString(p: Parsed, name: string, command?: string): string | undefined;
export declare function requireFlag(p: Parsed, name: string, command?: string, example?: string): string;
export declare function flagSize(p: Parsed, name: string, command?: string): number | undefined;
export declare function sizeValue(v: string, what: string, command?: string): number;
export declare function flagInt(p: Parsed, name: string, o?: {
    min?: number;
    max?: number;
    command?: string;
}): number | undefined;
export declare function flagBool(p: Parsed, name: string, command?: string): boolean | undefined;
/** A comma-separated list: "a,b" -> ['a', 'b']; "" -> [] (which clears a list on update). */
export declare function flagList(p: Parsed, name: string): string[] | undefined;
export declare function flagEnum<T extends string>(p: Parsed, name: string, allowed: readonly T[], command?: string): T | undefined;
/** Durations for --timeout: 30s, 2m, 1h, 500ms, or plain seconds. */
export declare function parseDuration(v: string, what?: string): number;
//# sourceMappingURL=args.d.ts.map