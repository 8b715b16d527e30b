// The CO's names and ids -> cairn's names. CSI lets a CO name a volume or snapshot with any
// Unicode string of up to 128 bytes without control characters (its idempotency key), and hands
// back as ids whatever the plugin chose. Cairn's admin API takes 1-63 lowercase letters, digits,
// '-', '.', '_'. So the plugin picks the id: a CO name that already is a valid cairn name (and not
// of the derived form) is its own id, so Kubernetes' `pvc-<uuid>` PV names and the snapshotter's
// `snapshot-<uuid>` names stay readable; any other name becomes `csi-` + the lowercase base32 of
// its SHA-256 (56 characters). Names of the derived form are hashed too, so a name mapped to
// itself never equals the id of a hashed one: the map is one-to-one (up to SHA-256 collisions,
// which the manager would still refuse, since it records the CO's name with the volume). Pure.
import { createHash } from 'node:crypto';
import { NAME_RE, NODE_ID_RE, SNAPSHOT_NAME_RE } from '@cairn/schema';
import { invalid } from './errors.js';
import { hasControlCharacters, MAX_CSI_STRING_BYTES } from './contract.js';

export { MAX_CSI_STRING_BYTES };

// The admin API's rules for names, node ids and snapshot names are @cairn/schema's (the manager checks with the same).

const DERIVED_PREFIX = 'csi-';
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
/** csi- + 52 base32 digits (256 bits). */
const DERIVED_RE = /^csi-[a-z2-7]{52}$/;

export const isCairnName = (s: string): boolean => NAME_RE.test(s);
export const isNodeId = (s: string): boolean => NODE_ID_RE.test(s);
export const isSnapshotName = (s: string): boolean => SNAPSHOT_NAME_RE.test(s);

function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** The derived name of a CO name: csi- + base32(sha256(name)). */
export function derivedName(coName: string): string {
  return DERIVED_PREFIX + base32(createHash('sha256').update(coName, 'utf8').digest());
}

/** Whether a name maps to itself: a valid cairn name not of the derived form. */
export const mapsToItself = (coName: string): boolean => isCairnName(coName) && !DERIVED_RE.test(coName);

/**
 * CreateVolume's or CreateSnapshot's name, as the spec allows it: REQUIRED, at most 128 bytes, no
 * control characters (INVALID_ARGUMENT naming the field otherwise).
 */
export function checkCoName(field: string, value: string): string {
  if (!value) throw invalid(`${field} is required`);
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_CSI_STRING_BYTES)
    throw invalid(`${field} is ${bytes} bytes long: the CSI spec allows at most ${MAX_CSI_STRING_BYTES}`);
  if (hasControlCharacters(value)) throw invalid(`${field} ${JSON.stringify(value)} contains control characters`);
  return value;
}

/** The cairn volume name (the CSI volume_id) for a CreateVolume name. */
export function volumeIdFor(coName: string): string {
  return mapsToItself(coName) ? coName : derivedName(coName);
}

/** The cairn snapshot name (the SNAPSHOT of the VOLUME@SNAPSHOT id) for a CreateSnapshot name. */
export function snapshotNameFor(coName: string): string {
  return mapsToItself(coName) ? coName : derivedName(coName);
}
