// Scenario files: a cluster, a sequence of events, the decisions expected. Each file in
// test/scenarios/ is one test. Every `decide` also checks that the same state decides the same
// way twice and that, once its decisions are applied, deciding again yields nothing.
//   CAIRN_REWRITE=1 node packages/scheduler/dist/test/scenarios.test.js   rewrites the expectations
//   (not under CI: there CAIRN_REWRITE is ignored with a warning and the scenarios are compared).
//
// Commands (one per block, see datadriven.ts for the block format):
//   cluster | apply    the input lines are events (shorthand below), applied in order
//   decide             prints the decisions at the scenario clock (and "wake at" when a wait
//                      runs), then applies them
//   state [volume]     prints each volume's replicas: id@node/disk:mode
//   attachment VOL     prints the volume's attach state, node, offline reason, user attach waiting
//   drain n1,n2        prints the drain plan for those nodes
// Event shorthand (sizes: 10G, 512M; lists: a,b):
//   node ID [zone=Z] [tags=..]             disk NODE DISK SIZE [avail=] [reserved=] [tags=] [sched=false]
//   node-update ID [sched=] [evict=] [cordon=] [tags=]
//   disk-update NODE DISK [sched=] [evict=] [tags=] [reserved=] [max=] [avail=]
//   disk-remove NODE DISK    down NODE [reason]    up NODE    settings k=v ...    tick 600s|10m
//   volume NAME SIZE [replicas=] [locality=] [node-selector=] [disk-selector=] [zone-soft=]
//          [node-soft=] [disk-soft=] [balance=]        volume-update NAME [same keys]
//   attach VOL NODE    detach VOL    delete VOL
//   running REF    rebuilt REF    fail REF [reason]   (REF: a replica id, a volume, VOL@NODE[/DISK])
//   settle             every scheduled replica reports running, every rebuilding one finishes,
//                      then `engines`
//   engines            attaching volumes report attached (offline ones with no endpoint),
//                      detaching ones detached
//   attach-request VOL NODE   a user attach (VolumeAttachRequested) alone, the engine not yet reporting
//   salvage VOL [replica=ID] [auto=true|false]   the input lines are the nodes' figures, one per
//                      replica: `ID rev=N [clean=true] [rebuilding=true]`; a replica not listed
//                      has not reported. Prints the choice and applies it when there is one.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { replicasOf } from '@cairn/metadata';
import type { DrainPlan } from '../src/index.js';
import { chooseSalvage, planDrain, salvageDraft, schedule } from '../src/index.js';
import type { Block } from './datadriven.js';
import { runFile } from './datadriven.js';
import { formatDecision } from './format.js';
import { World } from './world.js';

// Tests run from dist/test; the scenario files stay in the source tree.
const DIR = fileURLToPath(new URL('../../test/scenarios/', import.meta.url));

const secs = (w: World, ms: number): string => `${(ms - START) / 1000}s`;
const START = new World().nowMs;

function formatState(w: World, only: string | undefined): string[] {
  const out: string[] = [];
  for (const name of [...w.state.volumes.keys()].sort()) {
    if (only && name !== only) continue;
    const v = w.state.volumes.get(name)!;
    const rs = replicasOf(w.state, name).sort((a, b) => (a.id < b.id ? -1 : 1));
    out.push(
      `${name}: ${rs.map((r) => `${r.id}@${r.nodeId}/${r.diskId}:${r.mode}`).join(' ') || '(no replicas)'}` +
        (v.unschedulable ? ` [unschedulable missing=${v.unschedulable.missing}]` : ''),
    );
  }
  return out;
}

function formatDrain(p: DrainPlan): string[] {
  return [
    `replicas=${p.replicas} moves=${p.moves.length} blocked=${p.blocked.length}`,
    ...p.moves.map((m) => `move ${m.replaces} -> ${m.nodeId}/${m.diskId}`),
    ...p.blocked.map((b) => `blocked ${b.replicaId}: ${b.summary}`),
  ];
}

/** Returns mismatches, plus any determinism or fixpoint violation (even in rewrite mode). */
function runScenario(file: string): string[] {
  const w = new World();
  const violations: string[] = [];
  const problems = runFile(file, (b: Block): string => {
    const [cmd, ...args] = b.command.split(/\s+/);
    switch (cmd) {
      case 'apply':
      case 'cluster':
        for (const l of b.input) w.line(l);
        return '';
      case 'tick':
        w.line(b.command);
        return '';
      case 'decide': {
        const first = schedule(w.state, w.state.settings, w.nowMs);
        const again = schedule(w.state, w.state.settings, w.nowMs);
        const out = first.decisions.flatMap(formatDecision);
        if (out.length === 0) out.push('(no decisions)');
        if (first.wakeAtMs !== null) out.push(`wake at ${secs(w, first.wakeAtMs)}`);
        if (JSON.stringify(first) !== JSON.stringify(again))
          violations.push(`${file}:${b.line}: the same state decided differently`);
        w.applyDecisions(first.decisions);
        const next = schedule(w.state, w.state.settings, w.nowMs).decisions;
        if (next.length) {
          violations.push(
            `${file}:${b.line}: not a fixpoint, deciding again gives:\n${next.flatMap(formatDecision).join('\n')}`,
          );
        }
        return out.join('\n');
      }
      case 'state':
        return formatState(w, args[0]).join('\n');
      case 'attachment': {
        const v = w.state.volumes.get(args[0]!);
        if (!v) throw new Error(`no volume ${args[0]}`);
        return (
          `${v.name}: ${v.attachState}${v.attachedTo ? ` ${v.attachedTo}` : ''}` +
          `${v.autoAttach ? ` auto=${v.autoAttach}` : ''}${v.pendingAttach ? ` then-attach=${v.pendingAttach}` : ''}`
        );
      }
      case 'salvage': {
        const kv = new Map(
          args
            .slice(1)
            .filter((a) => a.includes('='))
            .map((a) => a.split('=', 2) as [string, string]),
        );
        const figs = new Map(
          b.input.map((l) => {
            const [id, ...rest] = l.trim().split(/\s+/) as [string, ...string[]];
            const f = new Map(rest.map((a) => a.split('=', 2) as [string, string]));
            return [
              id,
              {
                revision: Number(f.get('rev') ?? 0),
                cleanShutdown: f.get('clean') === 'true',
                rebuilding: f.get('rebuilding') === 'true',
                observedAtMs: w.nowMs,
              },
            ];
          }),
        );
        const c = chooseSalvage(w.state, args[0]!, (id) => figs.get(id), {
          replicaId: kv.get('replica'),
          auto: kv.get('auto') !== 'false',
        });
        const table = c.figures.map(
          (f) =>
            `  ${f.replicaId}@${f.nodeId}: ${f.reported ? `rev=${f.revision} clean=${f.cleanShutdown} rebuilding=${f.rebuilding}` : 'not reported'}`,
        );
        if (!c.ok) return [`refused ${c.refusal}: ${c.detail}`, ...table].join('\n');
        w.apply(salvageDraft(c, w.state.seq));
        return [`salvage ${c.volume} reason=${c.reason} replicas=${c.replicaIds.join(',')}`, ...table].join('\n');
      }
      case 'drain':
        return formatDrain(planDrain(w.state, w.state.settings, args[0]!.split(','))).join('\n');
      default:
        throw new Error(`${file}:${b.line}: unknown command ${cmd}`);
    }
  });
  return [...violations, ...problems];
}

const scenarios = suite('scenarios');
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.txt'))
  .sort();

scenarios('the scenario directory is found and not empty', () => {
  assert.ok(files.length >= 20, `found ${files.length} scenario files in ${DIR}`);
});

scenarios(
  'CAIRN_REWRITE=1 under CI compares (a wrong expectation fails, the file is kept); without CI it rewrites',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-datadriven-'));
    const saved = { rewrite: process.env['CAIRN_REWRITE'], ci: process.env['CI'] };
    const restore = (k: string, v: string | undefined) => {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    };
    try {
      const file = join(dir, 'echo.txt');
      const wrong = 'echo hello\n----\nnot what it prints\n';
      writeFileSync(file, wrong);
      const echo = (b: Block) => b.command.split(' ').slice(1).join(' ');
      process.env['CAIRN_REWRITE'] = '1';
      process.env['CI'] = 'true';
      const problems = runFile(file, echo);
      assert.is(problems.length, 1, 'the wrong expectation is reported under CI');
      assert.is(readFileSync(file, 'utf8'), wrong, 'and the file is not rewritten');
      delete process.env['CI'];
      assert.equal(runFile(file, echo), [], 'rewrite mode reports nothing');
      assert.is(readFileSync(file, 'utf8'), 'echo hello\n----\nhello\n', 'and writes what the command printed');
    } finally {
      restore('CAIRN_REWRITE', saved.rewrite);
      restore('CI', saved.ci);
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

for (const f of files) {
  scenarios(f.replace(/\.txt$/, ''), () => {
    const problems = runScenario(DIR + f);
    assert.ok(problems.length === 0, `\n${problems.join('\n\n')}`);
  });
}

scenarios.run();
