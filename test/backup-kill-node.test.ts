// A backup interrupted by kill -9 of the node agent running it, end to end on `cairn up --nodes 3`
// with a file:// target: left dead, the node is marked down and the leader fails the backup
// naming it; restarted at once, the agent runs its backup again (or the node was down too long
// and it failed). Either way it ends exactly once, and a completed one restores equal by sha256.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually } from './support/cluster.js';
import { InterruptedBackups } from './support/backup-kill.js';

const k = new InterruptedBackups();
const t = suite('a backup interrupted by kill -9 of its node');

t.before(async () => {
  await k.start();
});
t.after(async () => {
  await k.stop();
});

t('kill -9 of the node running a backup: it ends failed (node down) or completed, once', async () => {
  const b = await k.started('node-kill');
  const node = k.nodes().find((n) => n.id === b.nodeId)!;
  assert.ok(node, `the backup runs on a node of the cluster (${b.nodeId})`);
  process.kill(node.pid, 'SIGKILL');
  const end = await k.endsCleanly(b.url, b.name);
  if (end.state === 'failed') assert.match(end.error, new RegExp(`node "${node.id}" is down`));
  console.log(
    `  (node ${node.id} killed with the backup ${b.state}; it ended ${end.state}${end.error ? `: ${end.error}` : ''})`,
  );
  const rs = await k.c.cairn(['restart', node.id, '--dir', k.c.dir]);
  assert.is(rs.code, 0, rs.stderr);
  await eventually(
    `${node.id} up again`,
    30_000,
    async () => (await k.c.call('ListNodes', {})).nodes.find((n) => n.id === node.id)?.state === 'up',
  );
});

t(
  'kill -9 of the node running a backup and its restart at once: it ends once (the restarted agent runs it again, or the node was down too long)',
  async () => {
    const b = await k.started('node-restart');
    const node = k.nodes().find((n) => n.id === b.nodeId)!;
    process.kill(node.pid, 'SIGKILL');
    const rs = await k.c.cairn(['restart', node.id, '--dir', k.c.dir]);
    assert.is(rs.code, 0, rs.stderr);
    const end = await k.endsCleanly(b.url, b.name);
    console.log(
      `  (node ${node.id} killed and restarted with the backup ${b.state}; it ended ${end.state}${end.error ? `: ${end.error}` : ''})`,
    );
  },
);

t.run();
