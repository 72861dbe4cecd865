// Yosys's static timing of xc7 cells (hw-sim/yosys/synth.ts, `timing: true`): the report parser, and on real designs
// that a deeper combinational path between registers gives a longer cell delay (a clock-rate bound, no routing).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseStaReport, synthesize } from '../../hw-sim/yosys/synth.js';

describe('parseStaReport', () => {
  it('reads the latest arrival time in picoseconds as ns and a clock bound', () => {
    const t = parseStaReport("5. Executing STA pass (static timing analysis).\nLatest arrival time in 'top' is 5612:\n    5612 x (FDRE.D)\n");
    expect(t.logicDelayNs).toBeCloseTo(5.612, 6);
    expect(t.fmaxUpperBoundMHz).toBeCloseTo(1000 / 5.612, 6);
    expect(t.source).toMatch(/no routing/);
  });
  it('refuses a report without an arrival time', () => {
    expect(() => parseStaReport('ERROR: no clock')).toThrow(/no latest arrival time/);
  });
});

describe('logic timing of xc7 designs (Yosys sta)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-sta-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Registers in, registers out, and between them a sum of `terms` registered 16-bit inputs chained one after another. */
  function chain(terms: number): string {
    const file = path.join(dir, `chain${terms}.v`);
    const inputs = Array.from({ length: terms }, (_, i) => `r${i}`);
    fs.writeFileSync(
      file,
      `module chain${terms} (input wire clk, input wire [${16 * terms - 1}:0] in, output reg [23:0] out);
${inputs.map((r, i) => `    reg [15:0] ${r}; always @(posedge clk) ${r} <= in[${16 * i} +: 16];`).join('\n')}
    always @(posedge clk) out <= ${inputs.map((r) => `{8'd0, ${r}}`).join(' + ')};
endmodule
`,
    );
    return file;
  }

  it('a chain of eight additions has a longer cell delay than a single addition', async () => {
    const [short, long] = await Promise.all([
      synthesize({ verilog: [chain(2)], top: 'chain2', family: 'xc7', dsp: false, timing: true }),
      synthesize({ verilog: [chain(9)], top: 'chain9', family: 'xc7', dsp: false, timing: true }),
    ]);
    expect(short.timing!.logicDelayNs).toBeGreaterThan(0);
    expect(long.timing!.logicDelayNs, `short ${short.timing!.logicDelayNs} ns, long ${long.timing!.logicDelayNs} ns`).toBeGreaterThan(short.timing!.logicDelayNs * 1.5);
    expect(long.carries).toBeGreaterThan(short.carries);
  });

  it('is refused for iCE40, where nextpnr gives the real Fmax', async () => {
    await expect(synthesize({ verilog: [chain(2)], top: 'chain2', family: 'ice40', timing: true })).rejects.toThrow(/xc7 only/);
  });
});
