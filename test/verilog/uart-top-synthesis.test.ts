// ep_uart_top.v (with a one-byte core) through Yosys synth_ice40: the wrapper's size on an iCE40, so that it leaves
// most of an UP5K to the model: under 1,000 LUT4 (732 measured with Yosys 0.23; nextpnr-ice40 places it on an UP5K at 38 MHz), its ROM of replies and its receive
// FIFO in two block RAMs, no DSP.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { synthesize } from '../../hw-sim/yosys/synth.js';
import { findTarget, isFpgaTarget } from '../../src/targets/load-targets.js';
import { repoPath } from '../../src/util/package-root.js';

// A registered one-byte core: y = x + 1.
const CORE = `module ep_core (
    input wire clk, input wire rst,
    input wire in_valid, output wire in_ready, input wire [7:0] in_data,
    output reg out_valid, input wire out_ready, output reg [7:0] out_data
);
    assign in_ready = out_ready || !out_valid;
    always @(posedge clk) if (rst) out_valid <= 1'b0; else if (in_ready) begin out_valid <= in_valid; out_data <= in_data + 8'd1; end
endmodule
`;

describe('ep_uart_top.v in Yosys', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-uart-synth-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('takes under a fifth of an iCE40 UP5K\'s LUTs, two block RAMs and no DSP', async () => {
    const core = path.join(dir, 'ep_core.v');
    fs.writeFileSync(core, CORE);
    const lib = (f: string) => repoPath('templates/verilog/lib', f);
    const r = await synthesize({ verilog: [core, lib('ep_uart_top.v'), lib('ep_uart_rx.v'), lib('ep_uart_tx.v')], top: 'ep_uart_top', family: 'ice40' });
    const up5k = findTarget('ice40-up5k');
    if (!isFpgaTarget(up5k)) throw new Error('ice40-up5k is not an FPGA target');
    expect(r.luts).toBeGreaterThan(200); // the wrapper is really there (not optimized away)
    expect(r.luts).toBeLessThan(1000);
    expect(r.luts).toBeLessThan(up5k.resources.luts / 5);
    expect(r.blockRams).toBe(2);
    expect(r.dsps).toBe(0);
  });
});
