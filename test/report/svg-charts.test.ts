// The report's SVG charts: axes that end on ticks, the legend above the plot, marker labels on the side with room.
import { describe, expect, it } from 'vitest';
import { barChart, lineChart, logAxis, niceAxis } from '../../src/report/svg-charts.js';

describe('niceAxis', () => {
  it('widens the range to whole ticks of 1, 2 or 5 times a power of ten', () => {
    expect(niceAxis(3, 97)).toEqual({ lo: 0, hi: 100, ticks: [0, 20, 40, 60, 80, 100] });
    expect(niceAxis(94.4, 97.2)).toEqual({ lo: 94, hi: 98, ticks: [94, 95, 96, 97, 98] });
    expect(niceAxis(96.1, 97.2)).toEqual({ lo: 96, hi: 97.5, ticks: [96, 96.5, 97, 97.5] });
    expect(niceAxis(12_345, 69_875)).toEqual({ lo: 0, hi: 80_000, ticks: [0, 20_000, 40_000, 60_000, 80_000] });
    // A single value gets a range around it.
    const one = niceAxis(50, 50);
    expect(one.lo).toBeLessThan(50);
    expect(one.hi).toBeGreaterThan(50);
  });
});

describe('lineChart', () => {
  const chart = (limit: number) => lineChart('t', 'x', 'y', [
    { label: 'dense', color: '#333333', points: [{ x: 100, y: 97.2 }], hollow: true },
    { label: 'steps', color: '#1f77b4', start: { x: 100, y: 97.2 }, points: [{ x: 80, y: 96.9 }, { x: 61, y: 96.1 }] },
  ], [{ x: limit, label: 'budget' }]);

  it('ends the y axis on a labelled tick at the top of the plot, and joins the start point without drawing it twice', () => {
    const svg = chart(60);
    // y ticks 96 … 97.5: the top one sits at the plot's top edge (y = 48).
    expect(svg).toContain('<text x="62" y="52.0" text-anchor="end">97.5</text>');
    expect(svg.match(/<circle\b/g)).toHaveLength(3 + 1); // dense, two steps, and the legend's ring
    expect(svg).toMatch(/<path d="M[\d.]+,[\d.]+ L[\d.]+,[\d.]+ L[\d.]+,[\d.]+"/);
  });

  it('puts the legend above the plot and a marker\'s label on the side of its line with more room', () => {
    const left = chart(60);
    expect(left).toContain('text-anchor="start" fill="#d62728">budget</text>');
    expect(lineChart('t', 'x', 'y', [{ label: 's', color: '#000', points: [{ x: 0, y: 0 }, { x: 10, y: 1 }] }], [{ x: 9, label: 'budget' }])).toContain('text-anchor="end" fill="#d62728">budget</text>');
    for (const m of left.matchAll(/<rect x="[\d.]+" y="([\d.]+)" width="12" height="12"/g)) expect(Number(m[1]) + 12).toBeLessThan(48);
  });

  it('wraps a legend too wide for one row onto a second, moving the plot down, and dims faded points', () => {
    const names = ['lm3s6965', 'mps2-an386', 'mps2-an500', 'nrf52840', 'stm32f405', 'stm32f446', 'stm32h743'];
    const svg = lineChart('t', 'x', 'y', names.map((label, i) => ({ label, color: '#000', noLine: true, points: [{ x: i, y: 90 + i, faded: i < 3 }] })));
    const swatches = [...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="12" height="12"/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]) }));
    expect(new Set(swatches.map((s) => s.y)).size).toBe(2);
    // Every label ends inside the chart (640 wide; about 6.5 px a character).
    for (const [i, s] of swatches.entries()) expect(s.x + 18 + 6.5 * names[i].length).toBeLessThanOrEqual(640);
    // The top of the plot (the highest point) sits below the second row.
    const tops = [...svg.matchAll(/<circle cx="[\d.]+" cy="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(Math.min(...tops)).toBeGreaterThan(Math.max(...swatches.map((s) => s.y)) + 12);
    expect(svg.match(/opacity="0.25"/g)).toHaveLength(3);
  });
});

describe('logAxis', () => {
  it('spans whole decades with ticks at 1, 2 and 5 times each power of ten, and places points by their logarithm', () => {
    expect(logAxis(0.45, 27.7)).toEqual({ lo: 0.1, hi: 100, ticks: [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100] });
    expect(logAxis(3, 3)).toEqual({ lo: 1, hi: 10, ticks: [1, 2, 5, 10] });
    const svg = lineChart('t', 'x', 'y', [{ label: 's', color: '#000', noLine: true, points: [{ x: 1, y: 1 }, { x: 10, y: 2 }, { x: 100, y: 3 }] }], [], { logX: true });
    const cx = [...svg.matchAll(/<circle cx="([\d.]+)"/g)].map((m) => Number(m[1]));
    // 1, 10 and 100 sit at the left end, the middle and the right end of the plot (70 … 616).
    expect(cx).toEqual([70, 343, 616]);
  });
});

describe('barChart', () => {
  it('ends its axis on a tick above the tallest bar', () => {
    const svg = barChart('t', 'y', ['a', 'b'], [{ label: 'v', color: '#000', values: [1234, 8700] }]);
    expect(svg).toContain('>10k</text>');
  });
});
