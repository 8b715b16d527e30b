// Sizes as people write them (Longhorn and Kubernetes style): 512Mi, 1Gi, 10G, 4096.

const BINARY: Record<string, number> = { '': 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50 };
const DECIMAL: Record<string, number> = { k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };

/** Parses a size in bytes; throws an Error naming the text when it is not one. */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGTP]i|[kKMGTP])?B?\s*$/.exec(text);
  if (!m) throw new Error(`invalid size "${text}": use a number of bytes or a suffix Ki, Mi, Gi, Ti (e.g. 1Gi)`);
  const unit = m[2] ?? '';
  const mult = BINARY[unit] ?? DECIMAL[unit] ?? 1;
  const bytes = Number(m[1]) * mult;
  if (!Number.isSafeInteger(Math.round(bytes))) throw new Error(`invalid size "${text}": too large`);
  return Math.round(bytes);
}

/** Formats bytes with the largest binary unit that keeps the number at or above 1 (e.g. 1.5Gi). */
export function formatSize(bytes: number): string {
  const units = ['Pi', 'Ti', 'Gi', 'Mi', 'Ki'];
  for (const u of units) {
    const v = bytes / BINARY[u]!;
    if (v >= 1) return `${Number.isInteger(v) ? v : v.toFixed(1).replace(/\.0$/, '')}${u}`;
  }
  return `${bytes}`;
}
