// Command lines, for every cairn entry point (the admin commands, cairn up/down/status/...,
// cairn manager, cairn node): a command is declared once, as plain data (CommandSpec: its
// positional arguments and flags, each with its help), and commander parses argv against that
// declaration and generates the help. Why one declaration: the parser, --help and the deploy
// tests (which check that manifests pass only flags a binary accepts) all read the same list.
// Every error is a UsageError naming the flag or argument; the CLI turns it into exit 2.
import { Command, CommanderError, Option } from 'commander';

/** The command line is wrong: a bad or missing flag or argument. The message names it. */
export class UsageError extends Error {
  /** `command`: the words after "cairn" ("volume create", "manager"), for the "--help" hint. */
  constructor(
    message: string,
    readonly command = '',
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface FlagSpec {
  /** 'string' flags take a value (--size 1Gi or --size=1Gi); 'boolean' flags do not. */
  type: 'string' | 'boolean';
  short?: string;
  /** The placeholder shown in help, e.g. SIZE. */
  value?: string;
  /** Shown in the usage line; the command checks it (requireFlag) so that the error names it. */
  required?: boolean;
  /** A string flag that may be given more than once (--group a --group b): Parsed.lists has them all. */
  multiple?: boolean;
  /** The value when the flag is not given (string flags), shown in help. */
  default?: string;
  help: string;
}

export interface CommandSpec {
  /** The words that name the command after "cairn", e.g. "volume create". */
  path: string;
  /** Positional arguments in order: NAME is required, [NAME] optional. */
  args: string[];
  flags: Record<string, FlagSpec>;
  summary: string;
  /** Extra lines for --help. */
  notes?: string;
}

export interface Parsed {
  /** Positional arguments by their declared name (without brackets). */
  args: Record<string, string | undefined>;
  /** Flags that were given (or have a default): the text of string flags (the last, for a flag given twice), true for boolean flags. */
  flags: Record<string, string | true | undefined>;
  /** Every value of each `multiple` flag given, in order. */
  lists?: Record<string, string[]>;
}

/** Flags a family of commands shares (the admin commands' --endpoint, --output...), listed apart in help. */
export interface SharedFlags {
  heading: string;
  flags: Record<string, FlagSpec>;
}

const argName = (a: string): string => a.replace(/^\[|\]$/g, '');
const isOptional = (a: string): boolean => a.startsWith('[');

export function usageLine(spec: CommandSpec): string {
  const required = Object.entries(spec.flags)
    .filter(([, f]) => f.required)
    .map(([n, f]) => `--${n} ${f.value ?? ''}`.trimEnd());
  return [
    'cairn',
    spec.path,
    ...spec.args,
    ...required,
    Object.keys(spec.flags).length > required.length ? '[flags]' : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/** What help shows for a flag: "-o, --output table|json" (commander would split a placeholder at "|"). */
const flagTerm = (name: string, f: FlagSpec): string =>
  `${f.short ? `-${f.short}, ` : ''}--${name}${f.value ? ` ${f.value}` : f.type === 'string' ? ' VALUE' : ''}`;

/**
 * The commander Command for a spec (with `shared` flags too): parses nothing by itself and never
 * exits or prints; parseCommandLine and commandHelp drive it.
 */
export function commandOf(spec: CommandSpec, shared?: SharedFlags): Command {
  const cmd = new Command(`cairn ${spec.path}`)
    .description(spec.notes ? `${spec.summary}\n\n${spec.notes}` : spec.summary)
    .usage(usageLine(spec).slice(`cairn ${spec.path}`.length).trim())
    .helpOption(false)
    .allowExcessArguments(true)
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} });
  const terms = new Map<string, string>();
  const add = (name: string, f: FlagSpec, group: string): void => {
    const opt = new Option(
      `${f.short ? `-${f.short}, ` : ''}--${name}${f.type === 'string' ? ' <value>' : ''}`,
      f.help,
    ).helpGroup(group);
    // `--no-wait` is a flag of its own here, not commander's negation of --wait.
    opt.negate = false;
    if (f.default !== undefined) opt.default(f.default);
    if (f.multiple) opt.argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
    terms.set(opt.flags, flagTerm(name, f));
    cmd.addOption(opt);
  };
  for (const [n, f] of Object.entries(spec.flags)) add(n, f, 'flags:');
  for (const [n, f] of Object.entries(shared?.flags ?? {})) if (!(n in spec.flags)) add(n, f, shared!.heading);
  for (const a of spec.args) cmd.argument(isOptional(a) ? `[${argName(a)}]` : `<${argName(a)}>`);
  cmd.configureHelp({
    styleTitle: (t) => (t === 'Usage:' ? 'usage:' : t),
    optionTerm: (o) => terms.get(o.flags) ?? o.flags,
    // Each flag on one line: the help is read in terminals and in `less`, not wrapped.
    helpWidth: 200,
    visibleArguments: () => [],
  });
  return cmd;
}

/** The flags a spec declares (with the shared ones), as argv spells them: ["--etcd", "--listen", ...]. */
export function longFlags(spec: CommandSpec, shared?: SharedFlags): string[] {
  return commandOf(spec, shared)
    .options.map((o) => o.long!)
    .filter(Boolean);
}

/** Help for a command, generated by commander from its spec. */
export function commandHelp(spec: CommandSpec, shared?: SharedFlags): string {
  return commandOf(spec, shared).helpInformation();
}

/**
 * Checks argv (what follows the command's words) against the spec; every error is a UsageError
 * that names the flag or argument. A `help` flag, when given, skips the argument checks.
 */
export function parseCommandLine(spec: CommandSpec, argv: string[], shared?: SharedFlags): Parsed {
  const all = { ...(shared?.flags ?? {}), ...spec.flags };
  const cmd = commandOf(spec, shared);
  valueIsNoFlag(spec, argv, all);
  let missing: string | undefined;
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    if (e.code !== 'commander.missingArgument') throw usageErrorOf(e, spec, all);
    missing = /'([^']+)'/.exec(e.message)?.[1] ?? '';
  }
  const opts = cmd.opts();
  const flags: Parsed['flags'] = {};
  const lists: Record<string, string[]> = {};
  for (const o of cmd.options) {
    const name = o.long!.slice(2);
    const v = opts[o.attributeName()] as string | string[] | boolean | undefined;
    if (v === undefined || v === false) continue;
    if (Array.isArray(v)) {
      lists[name] = v;
      flags[name] = v.at(-1);
    } else flags[name] = v;
  }
  const args: Parsed['args'] = {};
  if (flags['help'] && 'help' in all) return { args, flags, lists };
  if (missing !== undefined) throw new UsageError(`missing ${missing}: usage: ${usageLine(spec)}`, spec.path);
  spec.args.forEach((a, i) => {
    const v = cmd.args[i];
    if (v === '') throw new UsageError(`${argName(a)} must not be empty`, spec.path);
    args[argName(a)] = v;
  });
  if (cmd.args.length > spec.args.length) {
    throw new UsageError(`unexpected argument "${cmd.args[spec.args.length]}" for "cairn ${spec.path}"`, spec.path);
  }
  return { args, flags, lists };
}

/**
 * `--size --replicas 3`: commander would take "--replicas" as the size; here the next flag is no
 * value (a value that starts with "--" is written inline: --name=--odd).
 */
function valueIsNoFlag(spec: CommandSpec, argv: string[], all: Record<string, FlagSpec>): void {
  const byShort = new Map<string, string>(
    Object.entries(all).flatMap(([n, f]): [string, string][] => (f.short ? [[`-${f.short}`, n]] : [])),
  );
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return;
    const name = a.startsWith('--') ? a.slice(2) : byShort.get(a);
    const f = name === undefined ? undefined : all[name];
    if (f?.type !== 'string') continue;
    if (argv[i + 1]?.startsWith('--'))
      throw new UsageError(`flag --${name} needs a value${f.value ? ` (${f.value})` : ''}`, spec.path);
    i++;
  }
}

/** The text of each string flag of `spec` (undefined when not given and without a default), typed by the spec's flag names. */
export function flagTexts<S extends CommandSpec>(spec: S, p: Parsed): { [K in keyof S['flags']]?: string } {
  return Object.fromEntries(
    Object.keys(spec.flags).flatMap((n) => (typeof p.flags[n] === 'string' ? [[n, p.flags[n]]] : [])),
  ) as { [K in keyof S['flags']]?: string };
}

/** commander's errors, in our words: each names the flag. */
function usageErrorOf(e: CommanderError, spec: CommandSpec, all: Record<string, FlagSpec>): UsageError {
  const quoted = /'([^']+)'/.exec(e.message)?.[1] ?? '';
  const hint = /\(Did you mean (\S+)\?\)/.exec(e.message)?.[1];
  switch (e.code) {
    case 'commander.unknownOption': {
      const [flag = quoted, value] = quoted.split(/=(.*)/s);
      if (value !== undefined && all[flag.replace(/^--/, '')]?.type === 'boolean')
        return new UsageError(`flag ${flag} takes no value`, spec.path);
      return new UsageError(
        `unknown flag ${quoted} for "cairn ${spec.path}"${hint ? ` (did you mean ${hint}?)` : ''}`,
        spec.path,
      );
    }
    case 'commander.optionMissingArgument': {
      const name = /--([a-z0-9-]+)/i.exec(quoted)?.[1] ?? quoted;
      const f = all[name];
      return new UsageError(`flag --${name} needs a value${f?.value ? ` (${f.value})` : ''}`, spec.path);
    }
    default:
      return new UsageError(e.message.replace(/^error: /, ''), spec.path);
  }
}
