// cairn job ... and volume --label: what the flags become, and what is refused before any call.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createJobRequest, job, updateJobRequest } from '../src/commands/job.js';
import { createVolumeRequest, updateVolumeRequest, volume } from '../src/commands/volume.js';
import { cairn, parse, usageError } from './support.js';

const t = suite('job');

t('job create: repeated --group and --label, concurrency defaults to 1', () => {
  const r = createJobRequest(
    parse(job, 'create', [
      'snap',
      '--task',
      'snapshot',
      '--cron',
      '*/5 * * * * *',
      '--retain',
      '3',
      '--group',
      'default',
      '--group',
      'gold,silver',
      '--label',
      'tier=1',
      '--label',
      'app=db',
    ]),
  );
  assert.equal(r, {
    name: 'snap',
    task: 'snapshot',
    cron: '*/5 * * * * *',
    retain: 3,
    concurrency: 1,
    groups: ['default', 'gold', 'silver'],
    labels: { tier: '1', app: 'db' },
  });
  usageError(
    () => createJobRequest(parse(job, 'create', ['snap', '--task', 'snapshot', '--cron', '* * * * *'])),
    /--retain is required/,
  );
  usageError(
    () =>
      createJobRequest(
        parse(job, 'create', [
          'snap',
          '--task',
          'snapshot',
          '--cron',
          '* * * * *',
          '--retain',
          '1',
          '--label',
          'novalue',
        ]),
      ),
    /KEY=VALUE/,
  );
  usageError(() => updateJobRequest(parse(job, 'update', ['snap'])), /nothing to update/);
  assert.equal(updateJobRequest(parse(job, 'update', ['snap', '--retain', '5', '--group', 'a'])), {
    name: 'snap',
    retain: 5,
    groups: { values: ['a'] },
  });
});

t('volume --label: set on create; set and remove (K-) on update', () => {
  const c = createVolumeRequest(
    parse(volume, 'create', ['v', '--size', '1Gi', '--label', 'recurring-job.longhorn.io/snap=enabled']),
  );
  assert.equal(c.labels, { 'recurring-job.longhorn.io/snap': 'enabled' });
  const u = updateVolumeRequest(
    parse(volume, 'update', ['v', '--label', 'a=b', '--label', 'recurring-job.longhorn.io/snap-']),
  );
  assert.equal(u, { name: 'v', setLabels: { a: 'b' }, removeLabels: ['recurring-job.longhorn.io/snap'] });
});

t('job ls -o json prints the jobs; a refused create says why and exits non-zero', async () => {
  const j = {
    name: 'snap',
    task: 'snapshot',
    cron: '* * * * *',
    retain: 1,
    concurrency: 1,
    groups: [],
    labels: {},
    createdSeq: 3,
    lastFireMs: 0,
    nextFireMs: 0,
    pending: [],
    volumes: ['v'],
    seq: 4,
  };
  const ls = await cairn(['job', 'ls', '-o', 'json'], { listRecurringJobs: async () => ({ jobs: [j] }) });
  assert.is(ls.code, 0);
  assert.equal(JSON.parse(ls.out)[0].name, 'snap');
  const refused = await cairn(['job', 'create', 'snap', '--task', 'snapshot', '--cron', 'bad', '--retain', '1'], {
    createRecurringJob: async () => {
      throw Object.assign(new Error('3 INVALID_ARGUMENT: cron "bad" is not a valid cron expression'), {
        code: 3,
        details: 'cron "bad" is not a valid cron expression',
      });
    },
  });
  assert.is.not(refused.code, 0);
  assert.match(refused.err, /cron "bad" is not a valid cron expression/);
});

t.run();
