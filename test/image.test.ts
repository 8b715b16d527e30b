// The image (Dockerfile) builds what the tests run and holds what `cairn node` runs. No Docker
// engine runs here, so this proves what can be proved without one:
// - the build stage installs every package scripts/setup.sh installs to build the datapath's
//   fallocate addon, and its commands (npm ci; npx tsc -b; npm prune --omit=dev), run on a copy of
//   the build context .dockerignore leaves, build the code and the addon;
// - what the run stage copies from the build stage runs the CLI, loads the manager and agent with
//   the dev dependencies pruned, and holds the addon where the datapath loads it from;
// - every program the node runs is in HOST_TOOLS (packages/csi/src/host-tools.ts), the run stage
//   installs each one's package, and `dpkg -S` on this Debian machine agrees with the mapping.
// Not proved: that apt-get in the node:20-bookworm-slim image resolves (no network for images
// here) and the image's own Node headers (deploy/README.md, "The image").
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HOST_TOOLS, hostToolPackages } from '@cairn/csi';
import {
  aptPackages,
  buildContext,
  copies,
  dockerignore,
  entrypoint,
  parseDockerfile,
  runSteps,
  setupAddonPackages,
  spawnedPrograms,
  workdir,
} from './support/dockerfile.js';
import type { Stage } from './support/dockerfile.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (rel: string): string => readFileSync(join(ROOT, rel), 'utf8');
const stages = parseDockerfile(read('Dockerfile'));
const build = stages.find((s) => s.name === 'build')!;
const runStage = stages[stages.length - 1]!;

/** The packages a stage installs, from a Dockerfile text (for the tests that break a copy). */
const pkgsOf = (text: string, which: 'build' | 'run'): string[] => {
  const s = parseDockerfile(text);
  return aptPackages(which === 'build' ? s.find((x) => x.name === 'build')! : s[s.length - 1]!);
};

function sh(cmd: string, cwd: string, timeoutMs = 150_000): { code: number; out: string } {
  const r = spawnSync('sh', ['-c', cmd], {
    cwd,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, NODE_ENV: '' },
  });
  return { code: r.status ?? 1, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

test('the Dockerfile has a build stage and a run stage from node:20-bookworm-slim', () => {
  assert.equal(
    stages.map((s) => s.from),
    ['node:20-bookworm-slim', 'node:20-bookworm-slim'],
  );
  assert.ok(build, 'a stage named build');
  assert.is.not(runStage, build);
  assert.equal(
    copies(runStage).filter((c) => c.from === null),
    [],
    'the run stage copies only from the build stage',
  );
});

test('the build stage installs every package scripts/setup.sh installs to build the fallocate addon', () => {
  const wanted = [...setupAddonPackages(read('scripts/setup.sh')).values()];
  assert.ok(
    wanted.includes('gcc') && wanted.includes('python3') && wanted.includes('make'),
    `setup.sh's addon packages: ${wanted.join(', ')}`,
  );
  const have = aptPackages(build);
  assert.equal(
    wanted.filter((p) => !have.includes(p)),
    [],
    `build stage installs ${have.join(' ')}`,
  );
  // The check fails when one is left out of the Dockerfile.
  const broken = read('Dockerfile').replace(
    /install -y --no-install-recommends python3 make/,
    'install -y --no-install-recommends make',
  );
  assert.ok(!pkgsOf(broken, 'build').includes('python3'));
  assert.throws(
    () => setupAddonPackages(read('scripts/setup.sh').replace(/fallocate addon/g, 'something')),
    /no packages for the fallocate addon/,
  );
});

test('HOST_TOOLS lists exactly the programs the CSI Node service runs', () => {
  const literal = [
    ...spawnedPrograms(read('packages/csi/src/node-os.ts')),
    ...spawnedPrograms(read('packages/csi/src/node.ts')),
  ];
  const derived = HOST_TOOLS.filter((t) => t.use.startsWith('fsType:')).map((t) => t.command);
  const listed = HOST_TOOLS.map((t) => t.command);
  assert.equal(
    [...new Set(literal)].filter((c) => !listed.includes(c)),
    [],
    'a program node-os.ts runs is missing from HOST_TOOLS',
  );
  assert.equal(
    listed.filter((c) => !literal.includes(c) && !derived.includes(c)),
    [],
    'HOST_TOOLS names a program nothing runs',
  );
  for (const c of [
    'nbdfuse',
    'losetup',
    'mount',
    'mkfs.ext4',
    'mkfs.xfs',
    'resize2fs',
    'e2fsck',
    'xfs_growfs',
    'nbd-client',
  ])
    assert.ok(listed.includes(c), c);
  assert.equal(spawnedPrograms("await run('losetup', ['-d']); spawn('nbdfuse', a); must(cmd, b)"), [
    'losetup',
    'nbdfuse',
  ]);
});

test('no other part of what the image runs starts programs (only the CSI Node service and `cairn up`)', () => {
  const users: string[] = [];
  for (const pkg of readdirSync(join(ROOT, 'packages'))) {
    const walk = (rel: string): void => {
      const dir = join(ROOT, 'packages', pkg, rel);
      if (!existsSync(dir)) return;
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = `${rel}/${e.name}`;
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.ts') && /from 'node:child_process'/.test(readFileSync(join(dir, e.name), 'utf8')))
          users.push(`${pkg}${p}`);
      }
    };
    walk('/src');
  }
  // cli/src/up.ts and metadata/src/etcd-process.ts start the local cluster of `cairn up` (etcd,
  // managers, agents), which the image does not run; node-os.ts is HOST_TOOLS' subject;
  // backup/src/testing.ts starts the S3 server other packages' suites use, and no source imports it.
  assert.equal(users.sort(), [
    'backup/src/testing.ts',
    'cli/src/up.ts',
    'csi/src/node-os.ts',
    'metadata/src/etcd-process.ts',
  ]);
  const importers: string[] = [];
  for (const pkg of readdirSync(join(ROOT, 'packages'))) {
    const walk = (rel: string): void => {
      const dir = join(ROOT, 'packages', pkg, rel);
      if (!existsSync(dir)) return;
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(`${rel}/${e.name}`);
        else if (
          e.name.endsWith('.ts') &&
          /from '(@cairn\/backup\/testing|\.\/testing\.js)'/.test(readFileSync(join(dir, e.name), 'utf8'))
        )
          importers.push(`${pkg}${rel}/${e.name}`);
      }
    };
    walk('/src');
  }
  assert.equal(importers, [], 'the S3 test server is for suites only');
});

test('the run stage installs the Debian package of every program the node runs', () => {
  const have = aptPackages(runStage);
  assert.equal(
    hostToolPackages().filter((p) => !have.includes(p)),
    [],
    `run stage installs ${have.join(' ')}`,
  );
  const ep = entrypoint(runStage);
  assert.equal(ep?.slice(0, 2), ['/usr/bin/tini', '--']);
  assert.ok(have.includes('tini'), 'tini (the ENTRYPOINT) is installed');
  const broken = read('Dockerfile').replace(' xfsprogs tini', ' tini');
  assert.ok(
    hostToolPackages().some((p) => !pkgsOf(broken, 'run').includes(p)),
    'leaving xfsprogs out is noticed',
  );
});

/** The Debian packages that own `path` by dpkg's database; tries the usrmerge aliases (/bin for /usr/bin). */
function dpkgOwners(path: string): string[] {
  const candidates = new Set<string>();
  for (const p of [path, realpathSync(path)]) {
    candidates.add(p);
    if (p.startsWith('/usr/')) candidates.add(p.slice(4));
  }
  for (const p of candidates) {
    const r = spawnSync('dpkg', ['-S', p], { encoding: 'utf8' });
    if (r.status !== 0) continue;
    const line = r.stdout.split('\n').find((l) => l.endsWith(`: ${p}`) && !l.startsWith('diversion'));
    if (line)
      return line
        .slice(0, line.lastIndexOf(': '))
        .split(', ')
        .map((s) => s.replace(/:[a-z0-9]+$/, ''));
  }
  return [];
}

test("on this Debian machine, dpkg -S agrees with every installed program's package", () => {
  assert.ok(existsSync('/var/lib/dpkg/status'), 'this test needs a Debian machine (dpkg)');
  const PATH = `${process.env.PATH ?? ''}:/usr/local/sbin:/usr/sbin:/sbin`;
  const absent: string[] = [];
  let checked = 0;
  for (const t of HOST_TOOLS) {
    const r = spawnSync('sh', ['-c', `command -v ${t.command}`], { encoding: 'utf8', env: { ...process.env, PATH } });
    const path = r.stdout.trim();
    if (r.status !== 0 || !path.startsWith('/')) {
      absent.push(t.command);
      continue;
    }
    assert.equal(dpkgOwners(path), [t.debianPackage], `${t.command} (${path})`);
    checked++;
  }
  // What this machine runs must be here: the CSI node suites stage volumes through nbdfuse with
  // ext4. scripts/setup.sh does not install xfsprogs or nbd-client (no suite makes xfs; no nbd
  // module here); their mapping was checked once with `dpkg-deb -c` (deploy/README.md).
  const mayBeAbsent = HOST_TOOLS.filter((t) => t.use === 'kernel-nbd' || t.use === 'fsType:xfs').map((t) => t.command);
  assert.equal(
    absent.filter((c) => !mayBeAbsent.includes(c)),
    [],
    'programs the suites run are installed',
  );
  assert.ok(checked >= HOST_TOOLS.length - mayBeAbsent.length, `${checked} checked`);
  if (absent.length) console.log(`   not installed here, mapping not checked by dpkg: ${absent.join(', ')}`);
  // A wrong mapping is caught: mount is not util-linux's.
  assert.equal(dpkgOwners(spawnSync('sh', ['-c', 'command -v mount'], { encoding: 'utf8' }).stdout.trim()), ['mount']);
});

// --- the build, run on a copy of the build context

let tmp = '';
let context = '';

/** Runs a stage's RUN steps except apt-get (its packages are on this machine: setup.sh). */
function runBuildSteps(stage: Stage, cwd: string): void {
  for (const step of runSteps(stage)) {
    if (/^(apt-get|rm -rf \/var\/lib\/apt\/lists)/.test(step)) continue;
    const r = sh(step, cwd);
    assert.is(r.code, 0, `${step}:\n${r.out.slice(-3000)}`);
  }
}

test("the build stage's commands build the code and the fallocate addon from the build context", () => {
  tmp = mkdtempSync(join(tmpdir(), 'cairn-image-'));
  context = join(tmp, 'app');
  const files = buildContext(ROOT, dockerignore(read('.dockerignore')));
  assert.ok(files.includes('package-lock.json') && files.includes('packages/datapath/native/fallocate.c'));
  assert.equal(
    files.filter((f) => /(^|\/)(node_modules|dist|\.git|\.cairn)\/|\/build\/Release\//.test(f)),
    [],
    'no build output, history or cluster data in the context',
  );
  for (const f of files) {
    mkdirSync(dirname(join(context, f)), { recursive: true });
    cpSync(join(ROOT, f), join(context, f), { verbatimSymlinks: true });
  }
  assert.equal(copies(build), [{ from: null, sources: ['.'], dest: '.' }]);
  assert.is(workdir(build), '/app');
  runBuildSteps(build, context);
  assert.ok(existsSync(join(context, 'packages/datapath/build/Release/fallocate.node')), 'npm ci built the addon');
  assert.ok(existsSync(join(context, 'packages/cli/dist/src/main.js')), 'tsc -b compiled the CLI');
  assert.not.ok(existsSync(join(context, 'node_modules/typescript')), 'npm prune dropped the dev dependencies');
  // node-gyp's Makefile links with $(CXX): g++ is part of the toolchain, not only gcc.
  assert.match(
    readFileSync(join(context, 'packages/datapath/build/Makefile'), 'utf8'),
    /^LINK \?= \$\(CXX\.target\)$/m,
  );
  assert.ok(aptPackages(build).includes('g++'));
});

test('what the run stage copies runs cairn, loads the manager and agent, and holds the addon', () => {
  assert.ok(context, 'the build ran');
  const image = join(tmp, 'image');
  const wd = workdir(runStage);
  assert.is(wd, '/app');
  /** A path of the image (absolute, or relative to WORKDIR) in the copy. */
  const at = (root: string, p: string): string => join(root, posix.isAbsolute(p) ? posix.relative(wd, p) : p);
  for (const c of copies(runStage)) {
    assert.is(c.from, 'build');
    for (const s of c.sources) {
      assert.ok(s.startsWith(`${wd}/`), `COPY source ${s} is under the build stage's ${wd}`);
      const dest = c.dest.endsWith('/') ? join(at(image, c.dest), posix.basename(s)) : at(image, c.dest);
      cpSync(at(context, s), dest, { recursive: true, verbatimSymlinks: true });
    }
  }
  let linked: { name: string; target: string } | null = null;
  for (const step of runSteps(runStage)) {
    if (/^(apt-get|rm -rf \/var\/lib\/apt\/lists)/.test(step)) continue;
    const ln = /^ln -s (\S+) (\S+)$/.exec(step);
    if (ln) {
      linked = { name: posix.basename(ln[2]!), target: ln[1]! };
      continue;
    }
    assert.match(step, /^chmod \+x \S+$/, `a run-stage step this test can follow: ${step}`);
    assert.is(sh(step, image).code, 0, step);
  }
  assert.ok(linked, 'the run stage links the cairn command');
  assert.is(entrypoint(runStage)?.at(-1), linked.name, 'the ENTRYPOINT runs the linked command');
  const main = at(image, linked.target);
  assert.ok(existsSync(main), `${linked.target} is in the image`);
  assert.ok(existsSync(join(image, 'packages/datapath/build/Release/fallocate.node')), 'the addon is in the image');
  assert.ok(existsSync(join(image, 'proto')), 'the .proto files are in the image');
  const help = sh(`NODE_ENV=production node ${main} --help`, image);
  assert.is(help.code, 0, help.out);
  assert.match(help.out, /usage: cairn/);
  const load = sh(
    `NODE_ENV=production node --input-type=module -e "await import('@cairn/manager'); await import('@cairn/agent'); await import('@cairn/csi');
    const p = await import('./packages/datapath/dist/src/replica/punch.js'); if (p.fallocateUnavailable) throw p.fallocateUnavailable; console.log('loaded')"`,
    image,
  );
  assert.is(load.code, 0, load.out);
  assert.match(load.out, /loaded/);
});

test.after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('.dockerignore patterns match as Docker matches them', () => {
  const ig = dockerignore('**/node_modules\n.cairn\nbench/results\n**/*.pem\n');
  assert.ok(
    ig('node_modules') && ig('packages/csi/node_modules') && ig('.cairn') && ig('bench/results') && ig('a/b/c.pem'),
  );
  assert.not.ok(ig('packages/.cairn') || ig('bench/results.md') || ig('src/node_modules.ts'));
});

test.run();
