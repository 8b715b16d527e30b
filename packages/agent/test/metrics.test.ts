// The node agent's metrics (src/metrics.ts): the rate gauges as a pure function of two readings of
// a volume's counters; an AgentMetrics served on a free port answers GET /metrics with the counters
// and rates of its volumes and the actual size of its replicas, and 404 elsewhere; the
// --metrics-listen flag's forms (@cairn/api).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { IoStatsTable } from '@cairn/datapath';
import { parseMetricsListen } from '@cairn/api';
import { AgentMetrics, ioRates } from '../src/metrics.js';

const t = suite('agent metrics');

t('ioRates: per second over the window, mean latency in ns, 0 without I/O, a restarted counter counted from 0', () => {
  const before = { reads: 10, readBytes: 40960, readMs: 5, writes: 100, writeBytes: 409600, writeMs: 100 };
  const now = { reads: 10, readBytes: 40960, readMs: 5, writes: 600, writeBytes: 2457600, writeMs: 600 };
  assert.equal(ioRates(before, now, 5000), {
    readIops: 0,
    writeIops: 100,
    readThroughput: 0,
    writeThroughput: 409600,
    readLatencyNs: 0,
    writeLatencyNs: 1e6,
  });
  // A new export's counters start lower than the reading before: counted from 0 over the window.
  assert.equal(ioRates(now, before, 1000).writeIops, 100);
  assert.equal(ioRates(undefined, before, 2000).readIops, 5);
});

t(
  'served: counters, rates and actual size per volume, labelled with the node; anything but GET /metrics is 404',
  async () => {
    const io = new IoStatsTable();
    io.of('v1').write(4096, 2);
    io.of('v1').write(4096, 4);
    io.of('v1').read(8192, 1);
    const m = new AgentMetrics('node-7', {
      io,
      replicaSizes: async () => [
        { volume: 'v1', replicaId: 'r1', bytes: 12288 },
        { volume: 'v2', replicaId: 'r9', bytes: 4096 },
      ],
    });
    const address = await m.serve({ host: '127.0.0.1', port: 0 });
    try {
      const text = await (await fetch(`http://${address}/metrics`)).text();
      assert.match(text, /cairn_volume_write_ops_total\{volume="v1",node="node-7"\} 2\n/);
      assert.match(text, /cairn_volume_write_bytes_total\{volume="v1",node="node-7"\} 8192\n/);
      assert.match(text, /cairn_volume_write_latency_seconds_total\{volume="v1",node="node-7"\} 0.006\n/);
      assert.match(text, /cairn_volume_read_bytes_total\{volume="v1",node="node-7"\} 8192\n/);
      assert.match(text, /cairn_volume_write_iops\{volume="v1",node="node-7"\} [\d.e+-]+\n/);
      assert.match(text, /cairn_volume_actual_size_bytes\{volume="v1",node="node-7"\} 12288\n/);
      assert.match(text, /cairn_volume_actual_size_bytes\{volume="v2",node="node-7"\} 4096\n/);
      assert.match(text, /cairn_node_agent_cpu_usage_millicpu\{node="node-7"\} \d+/);
      assert.is((await fetch(`http://${address}/`)).status, 404);
      assert.is((await fetch(`http://${address}/metrics`, { method: 'POST' })).status, 404);
    } finally {
      await m.stop();
    }
  },
);

t('--metrics-listen: HOST:PORT, :PORT (every interface), [v6]:PORT, off; anything else refused', () => {
  assert.equal(parseMetricsListen('127.0.0.1:9501'), { host: '127.0.0.1', port: 9501 });
  assert.equal(parseMetricsListen(':9500'), { host: '', port: 9500 });
  assert.equal(parseMetricsListen('[::1]:0'), { host: '::1', port: 0 });
  assert.is(parseMetricsListen('off'), null);
  for (const bad of ['9500', 'host:', 'host:70000', 'host:x'])
    assert.throws(() => parseMetricsListen(bad), /--metrics-listen/);
});

t.run();
