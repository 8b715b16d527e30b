// A backup interrupted by kill -9 of the leading manager, end to end on `cairn up --nodes 3
// --managers 2` with a file:// target: the node goes on, reports to the manager that leads next,
// and the backup ends exactly once; completed, it is in the target and restores equal by sha256.
// Its progress is seen part way through the other manager. (backup-kill-node.test.ts: the node.)
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually } from './support/cluster.js';
import { InterruptedBackups, SIZE } from './support/backup-kill.js';

const k = new InterruptedBackups();
const t = suite('a backup interrupted by kill -9 of the leading manager');

t.before(async () => {
  await k.start(['--managers', '2']);
});
t.after(async () => {
  await k.stop();
});

t('kill -9 of the leading manager mid-backup: the backup ends once (completed: it restores)', async () => {
  const leaderId = (await k.c.call('GetClusterInfo', {})).leaderId as string;
  const leader = k.managers().find((m) => m.id === leaderId)!;
  const other = k.managers().find((m) => m.id !== leaderId)!;
  k.api = k.c.admin(other.address);
  const b = await k.started('leader-kill', true);
  // A whole 128 MiB read takes a while: the node's progress reports are seen part way (any manager answers with them).
  assert.is(b.state, 'running');
  assert.ok(b.progress > 0 && b.progress < 100, `progress ${b.progress}%`);
  assert.is(b.size, SIZE, "a running backup shows its snapshot's size");
  process.kill(leader.pid, 'SIGKILL');
  const end = await k.endsCleanly(b.url, b.name);
  console.log(
    `  (leader killed with the backup ${b.state}; it ended ${end.state}${end.error ? `: ${end.error}` : ''})`,
  );
  await eventually(
    'the other manager leads',
    30_000,
    async () => (await k.c.call('GetClusterInfo', {}, k.api)).leaderId === other.id,
  );
});

t.run();
