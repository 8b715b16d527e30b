#!/usr/bin/env node
// Generates the TypeScript types of every .proto under proto/ with proto-loader-gen-types, using
// the same options the code uses when it loads the protos at run time (see PROTO_OPTIONS in
// packages/metadata/src/proto.ts). With --check it generates into a temp dir and fails when the
// committed files differ: generated code that is out of date is a build error, not a surprise.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
// Which protos generate into which package. Each package owns the types of the APIs it serves.
const targets = [
  // Events are messages only: the ProtoGrpcType root file (for services) is not wanted there.
  { protos: ['cairn/events/v1/events.proto'], out: 'packages/metadata/src/gen', dropRoot: 'events.ts' },
  // The gRPC APIs of the manager (admin, node-facing), shared by servers and clients.
  { protos: ['cairn/admin/v1/admin.proto', 'cairn/node/v1/node.proto'], out: 'packages/api/src/gen' },
];
const options = ['--longs=Number', '--enums=String', '--defaults', '--oneofs', '--includeComments', '--grpcLib=@grpc/grpc-js'];

function generate({ protos, dropRoot }, outDir) {
  // Run from proto/ with relative names so the "Original file" header does not carry this
  // checkout's absolute path (the check must pass in any clone).
  execFileSync(join(root, 'node_modules/.bin/proto-loader-gen-types'),
    [...options, '-I', '.', '-O', outDir, ...protos], { cwd: join(root, 'proto'), stdio: ['ignore', 'ignore', 'inherit'] });
  if (dropRoot) rmSync(join(outDir, dropRoot));
}

function fixImports(outDir) {
  // ESM with NodeNext resolution wants explicit extensions on relative imports.
  for (const f of listFiles(outDir)) {
    const p = join(outDir, f);
    const src = readFileSync(p, 'utf8');
    writeFileSync(p, src.replace(/from '(\.{1,2}\/[^']+)'/g, "from '$1.js'"));
  }
}

function listFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p).map((f) => join(name, f)));
    else out.push(name);
  }
  return out.sort();
}

const check = process.argv.includes('--check');
let stale = [];
for (const t of targets) {
  const committed = join(root, t.out);
  if (!check) {
    rmSync(committed, { recursive: true, force: true });
    generate(t, committed);
    fixImports(committed);
    continue;
  }
  const tmp = mkdtempSync(join(tmpdir(), 'cairn-gen-'));
  try {
    generate(t, tmp);
    fixImports(tmp);
    const want = listFiles(tmp), have = listFiles(committed);
    for (const f of new Set([...want, ...have])) {
      const a = existsSync(join(tmp, f)) ? readFileSync(join(tmp, f), 'utf8') : null;
      const b = existsSync(join(committed, f)) ? readFileSync(join(committed, f), 'utf8') : null;
      if (a !== b) stale.push(relative(root, join(committed, f)));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
if (stale.length) {
  console.error(`generated protos are out of date (run npm run gen):\n  ${stale.join('\n  ')}`);
  process.exit(1);
}
if (check) console.log('generated protos are current');
