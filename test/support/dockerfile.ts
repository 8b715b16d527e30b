// Reading the Dockerfile, .dockerignore and scripts/setup.sh as test/image.test.ts needs them: the
// stages and their instructions, the packages each stage installs with apt-get, the build context
// `docker build` would send, and the packages setup.sh installs for the addon's build. Pure parsing
// (plus one directory walk), so the test can show that each reading fails on a broken input.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY, WORKDIR, ENTRYPOINT, ... */
  op: string;
  args: string;
}

export interface Stage {
  /** The base image (FROM's first word). */
  from: string;
  /** The stage's name (FROM ... AS name), or its index. */
  name: string;
  instructions: Instruction[];
}

/** The stages of a Dockerfile, with continuation lines joined and comments dropped. */
export function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    if (/^\s*#/.test(raw)) continue; // a comment, also between continuation lines (as Docker reads it)
    const line = raw.replace(/\s+$/, '');
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full) logical.push(full);
  }
  if (pending.trim()) logical.push(pending.trim());
  const stages: Stage[] = [];
  for (const l of logical) {
    const m = /^(\S+)\s*(.*)$/.exec(l)!;
    const op = m[1]!.toUpperCase();
    const args = m[2]!.replace(/\s+/g, ' ').trim();
    if (op === 'FROM') {
      const f = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!f) throw new Error(`cannot read FROM ${args}`);
      stages.push({ from: f[1]!, name: f[2] ?? String(stages.length), instructions: [] });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (!stage) throw new Error(`${op} before any FROM`);
    stage.instructions.push({ op, args });
  }
  return stages;
}

/** The shell commands of a stage's RUN instructions, split at `&&`, in order. */
export function runSteps(stage: Stage): string[] {
  return stage.instructions
    .filter((i) => i.op === 'RUN')
    .flatMap((i) =>
      i.args
        .split('&&')
        .map((s) => s.trim())
        .filter(Boolean),
    );
}

/** The packages a stage installs with `apt-get install` (options left out). */
export function aptPackages(stage: Stage): string[] {
  const out: string[] = [];
  for (const step of runSteps(stage)) {
    const words = step.split(/\s+/);
    if (words[0] !== 'apt-get' || !words.includes('install')) continue;
    out.push(...words.slice(words.indexOf('install') + 1).filter((w) => !w.startsWith('-')));
  }
  return out;
}

/** One COPY instruction: the sources, where they go, and the stage they come from (or the context). */
export interface Copy {
  from: string | null;
  sources: string[];
  dest: string;
}

export function copies(stage: Stage): Copy[] {
  return stage.instructions
    .filter((i) => i.op === 'COPY')
    .map((i) => {
      const words = i.args.split(' ');
      let from: string | null = null;
      while (words[0]?.startsWith('--')) {
        const flag = words.shift()!;
        if (flag.startsWith('--from=')) from = flag.slice('--from='.length);
        else throw new Error(`COPY ${flag} is not understood here`);
      }
      if (words.length < 2) throw new Error(`COPY ${i.args}: needs a source and a destination`);
      return { from, sources: words.slice(0, -1), dest: words[words.length - 1]! };
    });
}

/** A stage's last WORKDIR (absolute), or / without one. */
export function workdir(stage: Stage): string {
  return stage.instructions.filter((i) => i.op === 'WORKDIR').pop()?.args ?? '/';
}

/** The ENTRYPOINT's exec form, or null when it has none (or the shell form). */
export function entrypoint(stage: Stage): string[] | null {
  const e = stage.instructions.filter((i) => i.op === 'ENTRYPOINT').pop();
  if (!e || !e.args.startsWith('[')) return null;
  return JSON.parse(e.args) as string[];
}

/** .dockerignore's patterns as matchers of context-relative paths (Docker's **, * and ?). */
export function dockerignore(text: string): (rel: string) => boolean {
  const patterns = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const res = patterns.map((p) => {
    if (p.startsWith('!')) throw new Error(`.dockerignore exception ${p} is not understood here`);
    const clean = p.replace(/^\/+/, '').replace(/\/+$/, '');
    let re = '';
    for (let i = 0; i < clean.length; i++) {
      const c = clean[i]!;
      if (clean.startsWith('**/', i)) {
        re += '(?:.*/)?';
        i += 2;
      } else if (clean.startsWith('**', i)) {
        re += '.*';
        i += 1;
      } else if (c === '*') re += '[^/]*';
      else if (c === '?') re += '[^/]';
      else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    return new RegExp(`^${re}$`);
  });
  return (rel) => res.some((r) => r.test(rel));
}

/** The files `docker build` sends from `root`: every file not excluded by .dockerignore (context-relative). */
export function buildContext(root: string, ignored: (rel: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (ignored(p)) continue;
      if (e.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk('');
  return out.sort();
}

/**
 * The packages scripts/setup.sh installs to build the datapath's addon: the entries of its PKGS
 * table after the comment that names the fallocate addon, as command -> package.
 */
export function setupAddonPackages(setupSh: string): Map<string, string> {
  const table = /declare -A PKGS=\(\n([\s\S]*?)\n\)/.exec(setupSh)?.[1];
  if (!table) throw new Error('scripts/setup.sh has no PKGS table');
  const out = new Map<string, string>();
  let inAddon = false;
  for (const line of table.split('\n').map((l) => l.trim())) {
    if (line.startsWith('#')) {
      if (/fallocate addon/.test(line)) inAddon = true;
      continue;
    }
    const m = /^\[([^\]]+)\]=(\S+)$/.exec(line);
    if (m && inAddon) out.set(m[1]!, m[2]!);
  }
  if (out.size === 0) throw new Error('scripts/setup.sh names no packages for the fallocate addon');
  return out;
}

/** The programs a source file starts with a literal name: run('x', ...), must('x', ...), spawn('x', ...). */
export function spawnedPrograms(source: string): string[] {
  return [...source.matchAll(/\b(?:run|must|spawn|execFile|execFileSync|spawnSync)\(\s*['"`]([^'"`$]+)['"`]/g)].map(
    (m) => m[1]!,
  );
}
