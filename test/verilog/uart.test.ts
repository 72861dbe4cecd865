// templates/verilog/lib/ep_uart_tx.v and ep_uart_rx.v in Verilator (tb/ep_uart_tb.cpp): the transmitter's waveform,
// bit for bit, with bytes given back to back (10 bits a byte, no idle time between them); the receiver takes bytes
// sent back to back, each out 9.5 bits after its start bit (plus the synchronizer's delay), ignores a one-cycle
// glitch and drops a frame whose stop bit is 0. At 4 and at 5 clocks per bit (odd: the middle rounds down).
import { describe, expect, it } from 'vitest';
import { buildVerilatorHarness, runVerilatorHarness } from '../../hw-sim/verilator/harness.js';
import { repoPath } from '../../src/util/package-root.js';

const lib = (f: string) => repoPath('templates/verilog/lib', f);
const BYTES = [0x00, 0xff, 0x41, 0x0a, 0x80, 0x01, 0x5a];

/** The 8N1 waveform of `bytes` back to back at `cpb` clocks a bit, then one idle bit. */
function waveform(bytes: number[], cpb: number): string {
  const bit = (v: number) => String(v).repeat(cpb);
  return bytes.map((b) => bit(0) + Array.from({ length: 8 }, (_, i) => bit((b >> i) & 1)).join('') + bit(1)).join('') + bit(1);
}

describe('ep_uart_tx.v and ep_uart_rx.v in Verilator', () => {
  it.each([4, 5])('at %i clocks per bit: exact bit timing, back-to-back bytes, glitch and framing error', async (cpb) => {
    const harness = await buildVerilatorHarness({
      top: 'ep_uart_pair_tb_top',
      verilog: [lib('tb/ep_uart_pair_tb_top.v'), lib('ep_uart_tx.v'), lib('ep_uart_rx.v')],
      testbench: [lib('tb/ep_uart_tb.cpp')],
      parameters: { CLKS_PER_BIT: cpb },
    });
    const lines = (await runVerilatorHarness(harness, [String(cpb), ...BYTES.map(String)], `simulating the UART at ${cpb} clocks per bit`)).trim().split('\n');
    expect(lines[0]).toBe(`tx ${waveform(BYTES, cpb)}`);
    expect(lines[1]).toBe(`taken ${BYTES.map((_, i) => 10 * cpb * i).join(' ')}`);
    // Out in the middle of the stop bit: 2 synchronizer cycles, the start edge, half a bit, 9 bits (the next frame,
    // back to back, is taken too: its start bit is seen by its level).
    const latency = 2 + Math.floor(cpb / 2) + 9 * cpb;
    expect(lines.slice(2)).toEqual([...BYTES, 0xa5].map((b) => `rx ${b} ${latency}`));
  });

  it('refuses parameters and macros that are not a name with an integer or a token (they reach the command line)', async () => {
    const design = { top: 'ep_uart_pair_tb_top', verilog: [lib('tb/ep_uart_pair_tb_top.v'), lib('ep_uart_tx.v'), lib('ep_uart_rx.v')], testbench: [lib('tb/ep_uart_tb.cpp')] };
    await expect(buildVerilatorHarness({ ...design, parameters: { 'CLKS_PER_BIT=4 -Wno-fatal': 4 } })).rejects.toThrow(/not a parameter name/);
    await expect(buildVerilatorHarness({ ...design, parameters: { NAME: 'a"b' } })).rejects.toThrow(/not a parameter name with an integer or a token/);
    await expect(buildVerilatorHarness({ ...design, parameters: { CLKS_PER_BIT: 4.5 } })).rejects.toThrow(/not a parameter name/);
    await expect(buildVerilatorHarness({ ...design, defines: { EP_CORE: 'x+define+Y=1' } })).rejects.toThrow(/not a macro name with a token/);
  });
});
