// cairn pki ca|issue: the cluster CA and certificates for a cluster cairn up does not start (an
// operator preparing deploy/'s Secrets). The same files and names `cairn up` makes (up-pki.ts),
// with @cairn/api's pki.ts; offline: no manager is contacted.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { issueCertificate } from '@cairn/api';
import { flagList, flagString } from '../args.js';
import type { Command, Group } from '../command.js';
import { CliError } from '../errors.js';
import { json, keyValues } from '../output.js';
import { ensureCa, ensureDir, names, NODE_ORGANIZATION, writeCertified } from '../up-pki.js';

const caCmd: Command = {
  spec: {
    path: 'pki ca',
    args: ['DIR'],
    flags: {},
    summary: 'Make the cluster CA in DIR (ca.crt, ca.key; DIR 0700, the key 0600), unless it is there already.',
    notes: 'Keep ca.key off the cluster: whoever has it can issue any identity.',
  },
  async run(ctx, p) {
    const dir = resolve(ctx.io.cwd, p.args['DIR']!);
    const existed = existsSync(join(dir, 'ca.crt')) && existsSync(join(dir, 'ca.key'));
    await ensureCa(dir);
    const out = { ca: join(dir, 'ca.crt'), key: join(dir, 'ca.key'), created: !existed };
    ctx.print(
      ctx.format === 'json'
        ? json(out)
        : keyValues([
            ['ca', out.ca],
            ['key', out.key],
            ['created', existed ? 'no (kept the one there)' : 'yes'],
          ]),
    );
    return 0;
  },
};

const issueCmd: Command = {
  spec: {
    path: 'pki issue',
    args: ['DIR', 'NAME'],
    summary:
      "Issue NAME.crt and NAME.key in DIR, signed by DIR's CA, for serving and as a client (a node: NAME is its node id).",
    notes:
      'A node: cairn pki issue DIR NODE --node --ip NODE_IP (CN and DNS name NODE, O cairn:nodes).\n' +
      'The managers: cairn pki issue DIR manager --dns cairn-manager,cairn-manager.cairn-system.svc (the name their clients check).',
    flags: {
      node: {
        type: 'boolean',
        help: 'a node certificate: O cairn:nodes and NAME as a DNS name (what engines check replica servers against)',
      },
      dns: { type: 'string', value: 'NAME,...', help: 'DNS names the certificate is valid for' },
      ip: { type: 'string', value: 'IP,...', help: 'IP addresses the certificate is valid for' },
      org: {
        type: 'string',
        value: 'O',
        help: "the subject's organisation (default cairn:nodes with --node, else none)",
      },
      out: {
        type: 'string',
        value: 'OUTDIR',
        help: "write NAME.crt and NAME.key there (made 0700) instead of DIR, e.g. one directory for every node's Secret",
      },
    },
  },
  async run(ctx, p) {
    const dir = resolve(ctx.io.cwd, p.args['DIR']!);
    const name = p.args['NAME']!;
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/.test(name))
      throw new CliError(`NAME "${name}": letters, digits, ".", "_" and "-" only (it names the files)`);
    const caCert = join(dir, 'ca.crt');
    const caKey = join(dir, 'ca.key');
    if (!existsSync(caCert) || !existsSync(caKey))
      throw new CliError(`no CA in ${dir}: make one with "cairn pki ca ${p.args['DIR']}"`);
    const node = p.flags['node'] === true;
    const n = names([...(node ? [name] : []), ...(flagList(p, 'dns') ?? []), ...(flagList(p, 'ip') ?? [])]);
    const org = flagString(p, 'org', 'pki issue') ?? (node ? NODE_ORGANIZATION : undefined);
    const issued = await issueCertificate(
      { cert: readFileSync(caCert, 'utf8'), key: readFileSync(caKey, 'utf8') },
      { commonName: name, ...(org ? { organization: org } : {}), ...n, use: ['server', 'client'] },
    );
    const outArg = flagString(p, 'out', 'pki issue');
    const outDir = outArg ? resolve(ctx.io.cwd, outArg) : dir;
    if (outArg) ensureDir(outDir);
    const files = writeCertified(outDir, name, issued);
    const out = { ...files, dns: n.dns, ips: n.ips, ...(org ? { organization: org } : {}) };
    ctx.print(
      ctx.format === 'json'
        ? json(out)
        : keyValues([
            ['cert', files.cert],
            ['key', files.key],
            ['dns', n.dns.join(',') || '-'],
            ['ip', n.ips.join(',') || '-'],
            ['organization', org ?? '-'],
          ]),
    );
    return 0;
  },
};

export const pki: Group = {
  name: 'pki',
  summary: 'the cluster CA and certificates for deploy/ (offline)',
  commands: [caCmd, issueCmd],
};
