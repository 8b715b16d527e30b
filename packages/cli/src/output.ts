// Printing for people (aligned tables, key/value blocks) and for programs (-o json). Pure: every
// function returns text; commands write it.
import { formatSize } from '@cairn/api';
import { UsageError } from './errors.js';
import type { Parsed } from './args.js';

export type OutputFormat = 'table' | 'json';

export function outputFormat(p: Parsed, command = ''): OutputFormat {
  const v = p.flags['output'];
  if (v === undefined || v === 'table' || v === 'wide') return 'table';
  if (v === 'json') return 'json';
  throw new UsageError(`-o/--output: expected table or json, got "${String(v)}"`, command);
}

/** Columns padded to the widest cell, two spaces apart, no trailing blanks. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** "key: value" lines with the values aligned. */
export function keyValues(pairs: [string, string][]): string {
  const w = Math.max(0, ...pairs.map(([k]) => k.length + 1));
  return pairs.map(([k, v]) => `${(k + ':').padEnd(w)}  ${v}`.trimEnd()).join('\n') + '\n';
}

/** The same object with `first` keys leading (proto-loader puts repeated fields first). */
export function ordered<T extends object>(o: T, first: readonly (keyof T)[]): T {
  const out: Partial<T> = {};
  for (const k of first) if (k in o) out[k] = o[k];
  return Object.assign(out, o);
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/** One line of JSON (for streams: `events -o json`, `audit export`). */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value) + '\n';
}

export const dash = (s: string | undefined | null): string => (s ? s : '-');
export const list = (xs: readonly string[] | undefined | null): string => (xs && xs.length ? xs.join(',') : '-');
export const yesNo = (b: boolean): string => (b ? 'yes' : 'no');
/** Sizes as people write them: 1Gi, 512Mi, 1.5Ti; 0 is "0". */
export const size = (bytes: number): string => (bytes ? formatSize(bytes) : '0');
/** A percentage as a bar of `width` cells, plain ASCII for any terminal or log: "[#####...............]". */
export function textBar(percent: number, width = 20): string {
  const full = Math.round((Math.min(100, Math.max(0, percent)) / 100) * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}]`;
}
/** ISO 8601 in UTC, to the second; '-' for 0. */
export function time(ms: number): string {
  if (!ms) return '-';
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
