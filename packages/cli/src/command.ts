// The shape of an admin command: a declaration (CommandSpec: arguments, flags, help) and a run
// function that gets the parsed command line and a Context (where to print, the admin API).
import type { CommandSpec, Parsed } from './args.js';
import type { AdminApi } from './client.js';
import type { Io } from './io.js';
import type { OutputFormat } from './output.js';

export interface Context {
  io: Io;
  format: OutputFormat;
  /** The admin API, connected on first use (a command that needs no manager never connects). */
  api(): AdminApi;
  print(text: string): void;
}

export interface Command {
  spec: CommandSpec;
  /** Other words for the same command ("list" for "ls"). */
  aliases?: string[];
  run(ctx: Context, p: Parsed): Promise<number>;
}

export interface Group {
  name: string;
  summary: string;
  commands: Command[];
}

/** The command's name within its group: the last word of its path. */
export const commandName = (c: Command): string => c.spec.path.split(' ').at(-1)!;
