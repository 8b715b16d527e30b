// Which mkfs options a volume's mkfsParams may carry. mkfsParams is a tenant's value (a
// StorageClass parameter) that becomes arguments of mkfs run as root on a node, so it is an
// allowlist, not a denylist: mke2fs `-d DIR` copies a host directory into the tenant's volume,
// `-l FILE` reads a host file, `-z FILE` writes one, `-J device=` / xfs `-l logdev=` / `-r rtdev=`
// put part of the filesystem on another device, xfs `-p FILE` and `-d file,name=` read or write
// host files, `-c FILE` reads a config file. A word that is not an option is refused too: mkfs
// would take it as the device. One rule, used where a volume is created (the manager refuses it
// before it enters the log) and again at NodeStageVolume (defence in depth: an old log, another
// writer).

/** How an option takes its value: none, a free value, or comma-separated key[=value] sub-options. */
type OptionRule =
  | { kind: 'flag' }
  | { kind: 'value' }
  | { kind: 'sub'; keys: readonly string[]; check?: (key: string, value: string | undefined) => string | null };

const flag = { kind: 'flag' } as const;
const value = { kind: 'value' } as const;
const sub = (
  keys: readonly string[],
  check?: (key: string, value: string | undefined) => string | null,
): OptionRule => ({ kind: 'sub', keys, ...(check ? { check } : {}) });

/** mke2fs (ext2/3/4). Not here: -c (reads the device for bad blocks), -d, -l, -z, -S, -n, -F, -t, -V, -q, -v, -D. */
const EXT: Record<string, OptionRule> = {
  '-b': value,
  '-C': value,
  '-e': value,
  '-g': value,
  '-G': value,
  '-i': value,
  '-I': value,
  '-j': flag,
  '-L': value,
  '-m': value,
  '-M': value,
  '-N': value,
  '-o': value,
  '-O': value,
  '-r': value,
  '-T': value,
  '-U': value,
  '-E': sub([
    'stride',
    'stripe_width',
    'stripe-width',
    'resize',
    'lazy_itable_init',
    'lazy_journal_init',
    'packed_meta_blocks',
    'num_backup_sb',
    'root_owner',
    'discard',
    'nodiscard',
    'quotatype',
    'encoding',
    'encoding_flags',
    'orphan_file_size',
    'assume_storage_prezeroed',
    'no_copy_xattrs',
  ]),
  // -J device= would put the journal on another (host) device.
  '-J': sub(['size', 'fast_commit_size', 'location']),
};

/** mkfs.xfs. Not here: -p (protofile), -c (config file), -r (realtime device), -N, -f, -q, -V, -K is harmless but kept out. */
const XFS: Record<string, OptionRule> = {
  '-b': sub(['size']),
  // -d file/name/size would make (or write) a file instead of using the device.
  '-d': sub([
    'agcount',
    'agsize',
    'su',
    'sw',
    'sunit',
    'swidth',
    'noalign',
    'cowextsize',
    'extszinherit',
    'daxinherit',
    'projinherit',
    'concurrency',
  ]),
  '-i': sub(['size', 'maxpct', 'align', 'sparse', 'attr', 'projid32bit', 'nrext64', 'exchange']),
  // The log stays inside the volume: no logdev=, internal only as 1.
  '-l': sub(['size', 'version', 'sunit', 'su', 'lazy-count', 'internal', 'agnum', 'concurrency'], (k, v) =>
    k === 'internal' && v !== '1' ? 'internal must be 1 (the log stays on the volume)' : null,
  ),
  '-m': sub(['crc', 'finobt', 'uuid', 'rmapbt', 'reflink', 'bigtime', 'inobtcount']),
  '-n': sub(['size', 'version', 'ftype', 'parent']),
  '-s': sub(['size']),
  '-L': value,
};

function rulesFor(fsType: string): Record<string, OptionRule> | null {
  if (fsType === 'ext4' || fsType === 'ext3' || fsType === 'ext2') return EXT;
  if (fsType === 'xfs') return XFS;
  return null;
}

/**
 * Splits mkfsParams and checks every word against fsType's allowlist. Returns the words mkfs is
 * given; throws an Error naming the offending option (callers map it to INVALID_ARGUMENT). Each
 * option is its own word (`-L label` or `-Llabel`); a value may not start with '-' (so `-L -d`
 * cannot smuggle an option past a reader that splits differently) and may not be empty.
 */
export function checkMkfsParams(fsType: string, params: string): string[] {
  const words = splitShellWords(params);
  const rules = rulesFor(fsType);
  if (!rules) {
    if (words.length) throw new Error(`mkfsParams are not accepted for fsType ${JSON.stringify(fsType)}`);
    return words;
  }
  const allowed = Object.keys(rules).join(' ');
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (!w.startsWith('-') || w.length < 2)
      throw new Error(`mkfsParams: ${JSON.stringify(w)} is not an option (mkfs would take it as the device)`);
    if (w.startsWith('--')) throw new Error(`mkfsParams: ${JSON.stringify(w)} is not allowed (only ${allowed})`);
    const opt = w.slice(0, 2);
    const rule = rules[opt];
    if (!rule) throw new Error(`mkfsParams: option ${opt} is not allowed for ${fsType} (only ${allowed})`);
    if (rule.kind === 'flag') {
      if (w.length > 2) throw new Error(`mkfsParams: ${JSON.stringify(w)}: write each option as its own word`);
      continue;
    }
    let v: string;
    if (w.length > 2) v = w.slice(2);
    else {
      if (i + 1 >= words.length) throw new Error(`mkfsParams: option ${opt} needs a value`);
      v = words[++i]!;
    }
    if (v === '' || v.startsWith('-'))
      throw new Error(
        `mkfsParams: option ${opt} has value ${JSON.stringify(v)}: a value may not be empty or start with '-'`,
      );
    if (rule.kind === 'sub') {
      for (const part of v.split(',')) {
        const eq = part.indexOf('=');
        const key = eq < 0 ? part : part.slice(0, eq);
        const val = eq < 0 ? undefined : part.slice(eq + 1);
        if (!rule.keys.includes(key))
          throw new Error(`mkfsParams: ${opt} ${key} is not allowed for ${fsType} (only ${rule.keys.join(', ')})`);
        const why = rule.check?.(key, val);
        if (why) throw new Error(`mkfsParams: ${opt} ${why}`);
      }
    }
  }
  return words;
}

/**
 * Splits mkfsParams the way a POSIX shell splits words: whitespace separates, '…' is literal,
 * "…" allows \" \\ \$ \`, a backslash outside quotes escapes the next character. No expansion.
 */
export function splitShellWords(s: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated ' in ${JSON.stringify(s)}`);
      cur += s.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && j + 1 < s.length && '"\\$`'.includes(s[j + 1]!)) j++;
        cur += s[j];
      }
      if (j >= s.length) throw new Error(`unterminated " in ${JSON.stringify(s)}`);
      i = j;
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 >= s.length) throw new Error(`trailing backslash in ${JSON.stringify(s)}`);
      cur += s[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}
