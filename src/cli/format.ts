// Human-readable formatting for CLI output: tables, byte sizes, counts.

import Table from 'cli-table3';
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

/**
 * A plain table (no colours), right-aligning the columns marked numeric. Every cell goes through the terminal
 * escaper (cells hold model names): no control character or ANSI sequence reaches the terminal from a table.
 */
export function renderTable(head: string[], rows: string[][], numeric: boolean[] = []): string {
  const table = new Table({
    head: head.map((cell) => terminalText(cell, TABLE_CELL_MAX)),
    style: { head: [], border: [], compact: true, 'padding-left': 1, 'padding-right': 1 },
    colAligns: head.map((_, i) => (numeric[i] ? 'right' : 'left')),
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: ' ',
    },
  });
  table.push(...rows.map((row) => row.map((cell) => terminalText(cell, TABLE_CELL_MAX))));
  return table.toString();
}
