// Human-readable formatting for CLI output: tables, byte sizes, counts.

import { createRequire } from 'node:module';
import Table from 'cli-table3';

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

function cliTable3(head: string[], rows: string[][], numeric: boolean[]): string {
  const table = new Table({
    head,
    style: { head: [], border: [], compact: true, 'padding-left': 1, 'padding-right': 1 },
    colAligns: head.map((_, i) => (numeric[i] ? 'right' : 'left')),
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: ' ',
    },
  });
  table.push(...rows);
  return table.toString();
}

/**
 * A plain table (no colours), right-aligning the columns marked numeric. Laid out here, in linear time,
 * as cli-table3 lays it out (whose layout takes time quadratic in the rows: minutes for a model of
 * 20,000 layers); cli-table3 itself draws only tables with multi-line cells. Cells wider than
 * MAX_CELL_WIDTH are cut.
 */
export function renderTable(head: string[], rows: string[][], numeric: boolean[] = []): string {
  const all = [head, ...rows].map((r) => r.map(clip));
  if (all.some((r) => r.some((c) => c.includes('\n')))) return cliTable3(all[0], all.slice(1), numeric);
  const widths = head.map((_, c) => all.reduce((w, r) => Math.max(w, cellWidth(r[c] ?? '')), 0));
  const line = (r: string[]) => head.map((_, c) => {
    const text = r[c] ?? '';
    const fill = ' '.repeat(widths[c] - cellWidth(text));
    return ` ${numeric[c] ? fill + text : text + fill} `;
  }).join(' ');
  return all.map(line).join('\n');
}
