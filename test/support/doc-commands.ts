// The commands an operator's guide shows (docs/operations.md, deploy/README.md), pulled out of its
// Markdown so test/deploy.test.ts can run each against the real programs: `cairn` (its parser,
// then an unreachable manager) and `kubectl` (its parser, then an unreachable API server). Pure.

export interface DocCommand {
  /** The program: cairn or kubectl. */
  program: 'cairn' | 'kubectl';
  /** The command line as the shell reads it, starting with the program. */
  line: string;
  /** From a ```sh block (a full command) or from an inline `code` span in prose (may leave out arguments). */
  inline: boolean;
  /** Where: the file and line number. */
  where: string;
}

/** Drops a trailing comment (a # after whitespace, outside quotes). */
function uncomment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i).trimEnd();
  }
  return line.trimEnd();
}

/**
 * The simple commands of one shell line: split at `&&`, `;` and pipes; `VAR=$(cmd)` gives cmd; a
 * quoted "$(...)" argument becomes "x" (what it computes is not the point here); cairn after
 * `kubectl exec ... --` is a command of its own.
 */
export function shellCommands(line: string): { program: 'cairn' | 'kubectl'; line: string }[] {
  const out: { program: 'cairn' | 'kubectl'; line: string }[] = [];
  let text = uncomment(line).replace(/"\$\((?:[^()"]|"[^"]*")*\)"/g, '"x"');
  const assign = /^[A-Za-z_][A-Za-z0-9_]*=\$\((.*)\)$/.exec(text.trim());
  if (assign) text = assign[1]!;
  for (const part of text.split(/\s*(?:&&|\|\||;|\|)\s*/)) {
    const p = part
      .trim()
      .replace(/^\(|\)$/g, '')
      .trim();
    const m = /^(cairn|kubectl)(\s|$)/.exec(p);
    if (!m) continue;
    out.push({ program: m[1] as 'cairn' | 'kubectl', line: p });
    const inner = / -- (cairn(?:\s.*)?)$/.exec(p);
    if (m[1] === 'kubectl' && inner) out.push({ program: 'cairn', line: inner[1]! });
  }
  return out;
}

/** Every cairn and kubectl command of a Markdown text: in ```sh blocks, and in inline code spans. */
export function docCommands(markdown: string, file: string): DocCommand[] {
  const out: DocCommand[] = [];
  const lines = markdown.split('\n');
  let inSh = false;
  let fenced = false;
  let pending = '';
  lines.forEach((raw, i) => {
    const fence = /^\s*```(\w*)\s*$/.exec(raw);
    if (fence) {
      if (!fenced) {
        fenced = true;
        inSh = fence[1] === 'sh';
      } else {
        fenced = false;
        inSh = false;
      }
      return;
    }
    const where = `${file}:${i + 1}`;
    if (fenced) {
      if (!inSh) return;
      const l = raw.trim();
      if (l.endsWith('\\')) {
        pending += `${l.slice(0, -1).trimEnd()} `;
        return;
      }
      for (const c of shellCommands(pending + l)) out.push({ ...c, inline: false, where });
      pending = '';
      return;
    }
    for (const m of raw.matchAll(/`((?:cairn|kubectl) [^`]+)`/g)) {
      for (const c of shellCommands(m[1]!)) out.push({ ...c, inline: true, where });
    }
  });
  return out;
}
