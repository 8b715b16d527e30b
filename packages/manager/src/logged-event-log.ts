// The manager's EventLog: the same log, and every event this manager appends is logged once, at
// info, with its fields (log-fields.ts). Every appender (commands, the reconciler, liveness,
// salvage, jobs, backups, Kubernetes) goes through here, so what this manager decided is in its
// log without each of them saying it.
import type { Etcd3 } from 'etcd3';
import type { Logger } from '@cairn/api';
import { EventLog } from '@cairn/metadata';
import type { AppendOptions, AppendResult, EventDraft, EventLogOptions } from '@cairn/metadata';
import { eventLogFields } from './log-fields.js';

export class LoggedEventLog extends EventLog {
  constructor(
    client: Etcd3,
    opts: EventLogOptions,
    private readonly logger: Logger,
    private readonly volumeOfReplica: (id: string) => string | undefined,
  ) {
    super(client, opts);
  }

  override async append(drafts: EventDraft[], opts: AppendOptions = {}): Promise<AppendResult> {
    const r = await super.append(drafts, opts);
    if (this.logger.isLevelEnabled('info')) {
      for (const ev of r.events) {
        const f = eventLogFields(ev, this.volumeOfReplica);
        this.logger.info(f, `appended ${f.event}`);
      }
    }
    return r;
  }
}
