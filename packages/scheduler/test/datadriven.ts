// A small data-driven test format in the spirit of etcd's raft testdata (cockroachdb/datadriven):
//
//   # comments and blank lines between blocks are kept as they are
//   command arg arg
//   optional input lines
//   ----
//   expected output lines (no blank line inside)
//
// A block's output ends at the first blank line. With CAIRN_REWRITE=1 the expected outputs are
// replaced by what the commands print and the file is written back; everything else is kept.
// Under CI (the CI variable set and not "false"/"0") CAIRN_REWRITE is ignored with a warning: there
// the scenarios are compared, never rewritten, so a stray variable cannot make them all pass.
import { readFileSync, writeFileSync } from 'node:fs';

export interface Block {
  /** 1-based line of the command, for messages. */
  line: number;
  command: string;
  input: string[];
  expected: string;
}

interface Segment {
  text: string[];
  block?: Block;
}

function parse(text: string, file: string): Segment[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const segs: Segment[] = [];
  let verbatim: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const l = lines[i]!;
    if (l.trim() === '' || l.startsWith('#')) {
      verbatim.push(l);
      i++;
      continue;
    }
    const start = i;
    const head: string[] = [];
    while (i < lines.length && lines[i] !== '----') {
      if (lines[i]!.trim() === '') throw new Error(`${file}:${i + 1}: blank line before ----`);
      head.push(lines[i]!);
      i++;
    }
    if (i >= lines.length) throw new Error(`${file}:${start + 1}: command without ----`);
    head.push('----');
    i++;
    const out: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '') out.push(lines[i++]!);
    segs.push({ text: [...verbatim, ...head] });
    verbatim = [];
    segs.push({
      text: [],
      block: { line: start + 1, command: head[0]!, input: head.slice(1, -1), expected: out.join('\n') },
    });
  }
  segs.push({ text: verbatim });
  return segs;
}

let warned = false;

/** Whether to rewrite expected outputs: CAIRN_REWRITE=1, and not under CI (which gets a warning). */
export function rewriteMode(env: NodeJS.ProcessEnv): boolean {
  if (env['CAIRN_REWRITE'] !== '1') return false;
  const ci = env['CI'];
  if (ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0') {
    if (!warned)
      console.warn(`warning: CAIRN_REWRITE=1 ignored because CI=${ci}: the scenarios are compared, not rewritten`);
    warned = true;
    return false;
  }
  return true;
}

/**
 * Runs every block of a file through `run` in order. Returns the mismatches (empty when all
 * match); in rewrite mode writes the actual outputs back and returns none.
 */
export function runFile(file: string, run: (b: Block) => string): string[] {
  const segs = parse(readFileSync(file, 'utf8'), file);
  const rewrite = rewriteMode(process.env);
  const problems: string[] = [];
  const outText: string[] = [];
  for (const s of segs) {
    if (!s.block) {
      outText.push(...s.text);
      continue;
    }
    const actual = run(s.block).replace(/\n+$/, '');
    if (actual.split('\n').some((l) => l.trim() === '') && actual !== '')
      throw new Error(`${file}:${s.block.line}: output has a blank line`);
    if (actual !== s.block.expected) {
      problems.push(
        `${file}:${s.block.line}: ${s.block.command}\n--- expected\n${s.block.expected}\n--- actual\n${actual}`,
      );
    }
    if (actual !== '') outText.push(...actual.split('\n'));
  }
  if (rewrite) {
    writeFileSync(file, outText.join('\n') + '\n');
    return [];
  }
  return problems;
}
