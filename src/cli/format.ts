// Human-readable formatting for CLI output: tables, byte sizes, counts.

import { createRequire } from 'node:module';
import { terminalText } from '../util/escape.js';

/** Longest table cell (after escaping); callers cap name columns shorter with terminalName. */
export const TABLE_CELL_MAX = 200;

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}

export function formatPercent(x: number | null): string {
  return x === null ? '-' : `${(x * 100).toFixed(1)}%`;
}

/** cli-table3's own measure of a cell's width (ANSI codes stripped, wide characters counted twice). */
const { strlen } = createRequire(import.meta.url)('cli-table3/src/utils.js') as { strlen(text: string): number };

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** A cell's width on a terminal, as cli-table3 measures it (which is slow: only for cells that are not plain ASCII). */
function cellWidth(text: string): number {
  return PRINTABLE_ASCII.test(text) ? text.length : strlen(text);
}

/** Cells wider than this are cut (with an ellipsis), so that one cell cannot widen its column on every row. */
const MAX_CELL_WIDTH = 120;

function clip(text: string): string {
  if (cellWidth(text) <= MAX_CELL_WIDTH) return text;
  let out = '';
  let width = 0;
  for (const ch of text) {
    const w = cellWidth(ch);
    if (width + w > MAX_CELL_WIDTH - 1) break;
    out += ch;
    width += w;
  }
  return `${out}…`;
}

/**
 * A plain table (no colours), right-aligning the columns marked numeric. Every cell goes through the terminal
 * escaper (cells hold model names): no control character or ANSI sequence reaches the terminal from a table, and
 * no cell spans lines. Laid out here, in linear time, as cli-table3 lays out one-line cells (its own layout takes
 * time quadratic in the rows: minutes for a model of 20,000 layers). Cells wider than MAX_CELL_WIDTH are cut.
 */
export function renderTable(head: string[], rows: string[][], numeric: boolean[] = []): string {
  const all = [head, ...rows].map((r) => r.map((cell) => clip(terminalText(cell, TABLE_CELL_MAX))));
  const widths = head.map((_, c) => all.reduce((w, r) => Math.max(w, cellWidth(r[c] ?? '')), 0));
  const line = (r: string[]) => head.map((_, c) => {
    const text = r[c] ?? '';
    const fill = ' '.repeat(widths[c] - cellWidth(text));
    return ` ${numeric[c] ? fill + text : text + fill} `;
  }).join(' ');
  return all.map(line).join('\n');
}
