// Bench: what narrowing the requantization (ep_requant's ACC_BITS and MULT_BITS, the quantizer's multiplier_bits) saves
// in Yosys synthesis: one requantizer with its multiplier, shift and clamp as ports (xc7 and iCE40), and 16→8 dense
// layers at reuse factor 1, dense and 80%-pruned, at full width (32-bit accumulators, 31-bit multipliers) and narrowed
// (exact accumulator width, 16-bit multipliers) on xc7. --ice40-layer adds the 80%-pruned layer on iCE40 (minutes);
// --mlp adds the 16-64-32-32-5 MLP (the sum of its four layers) dense at full width and 80%-pruned narrowed on xc7.
//
//   node dist/bench/rtl-requant.js [--ice40-layer] [--mlp | --mlp-pruned] [--no-base] [--json]
//   (--mlp-pruned: only the MLP's 80%-pruned narrowed form; --no-base: only the added sections)

import fs from 'node:fs';
import path from 'node:path';
import { synthesize, type FpgaFamily, type SynthesisResources } from '../hw-sim/yosys/synth.js';
import { repoPath } from '../src/util/package-root.js';
import { makeTempDir, removeTempDir } from '../src/util/temp-dir.js';
import { layerWidths, randomLayer, wrapper, type LayerSpec } from './rtl-layers.js';

const NARROW_MULT_BITS = 16;
const lib = (f: string) => repoPath('templates/verilog/lib', f);

interface Row {
  what: string;
  family: FpgaFamily;
  accBits: number;
  multBits: number;
  luts: number;
  dsps: number;
  flipFlops: number;
  carries: number;
}

/** One ep_requant with every field a port, at the given widths. */
function requantTop(accBits: number, multBits: number): string {
  return `module ep_requant_synth_top (
    input wire clk, input wire rst, input wire en, input wire in_valid,
    input wire signed [${accBits - 1}:0] acc, input wire [30:0] multiplier, input wire [5:0] shift,
    input wire signed [7:0] zero_point, input wire signed [7:0] act_min, input wire signed [7:0] act_max,
    output wire out_valid, output wire signed [7:0] out
);
    ep_requant #(.ACC_BITS(${accBits}), .MULT_BITS(${multBits})) requant (
        .clk(clk), .rst(rst), .en(en), .in_valid(in_valid), .acc(acc), .multiplier(multiplier), .shift(shift),
        .zero_point(zero_point), .act_min(act_min), .act_max(act_max), .out_valid(out_valid), .out(out)
    );
endmodule
`;
}

class Bench {
  readonly rows: Row[] = [];
  private n = 0;
  constructor(private readonly dir: string) {}

  async run(what: string, family: FpgaFamily, verilog: string, top: string, accBits: number, multBits: number, extra: string[]): Promise<void> {
    const file = path.join(this.dir, `design-${this.n++}.v`);
    fs.writeFileSync(file, verilog);
    const r: SynthesisResources = await synthesize({ verilog: [file, ...extra], top, family });
    const row = { what, family, accBits, multBits, luts: r.luts, dsps: r.dsps, flipFlops: r.flipFlops, carries: r.carries };
    this.rows.push(row);
    if (!process.argv.includes('--json')) {
      console.log(`${what.padEnd(44)} ${family.padEnd(5)} ACC_BITS ${String(accBits).padStart(2)} MULT_BITS ${String(multBits).padStart(2)}: ${String(r.luts).padStart(6)} LUTs ${String(r.dsps).padStart(4)} DSPs ${String(r.flipFlops).padStart(5)} FFs`);
    }
  }

  async unit(family: FpgaFamily, accBits: number, multBits: number): Promise<void> {
    await this.run('one ep_requant (ports)', family, requantTop(accBits, multBits), 'ep_requant_synth_top', accBits, multBits, [lib('ep_requant.v')]);
  }

  async layer(spec: LayerSpec, family: FpgaFamily, seed = 42): Promise<void> {
    const layer = randomLayer(spec, seed);
    const { accBits, multBits } = layerWidths(layer);
    await this.run(`${spec.name}`, family, wrapper(layer), 'ep_dense_rf1_tb_top', accBits, multBits, [lib('ep_dense_rf1.v'), lib('ep_requant.v')]);
  }
}

const base = { nIn: 16, nOut: 8, xZero: 0, yZero: 0, actMin: 0, actMax: 127 };
const spec = (name: string, sparsity: number, narrow: boolean, nIn = base.nIn, nOut = base.nOut): LayerSpec => ({
  ...base,
  name,
  nIn,
  nOut,
  sparsity,
  ...(narrow ? { multBits: NARROW_MULT_BITS } : {}),
});

async function main(): Promise<void> {
  const dir = makeTempDir('rtl-requant-bench');
  try {
    const b = new Bench(dir);
    // The narrowed unit at the accumulator width of the dense 16→8 layer.
    const { accBits } = layerWidths(randomLayer(spec('', 0, true), 42));
    if (!process.argv.includes('--no-base')) {
      for (const family of ['xc7', 'ice40'] as const) {
        await b.unit(family, 32, 31);
        await b.unit(family, accBits, NARROW_MULT_BITS);
      }
      for (const narrow of [false, true]) {
        await b.layer(spec(`16→8 dense${narrow ? ', narrowed' : ''}`, 0, narrow), 'xc7');
        await b.layer(spec(`16→8 80%-pruned${narrow ? ', narrowed' : ''}`, 0.8, narrow), 'xc7');
      }
    }
    if (process.argv.includes('--ice40-layer')) {
      await b.layer(spec('16→8 80%-pruned, narrowed', 0.8, true), 'ice40');
      await b.layer(spec('16→8 80%-pruned', 0.8, false), 'ice40');
    }
    if (process.argv.includes('--mlp') || process.argv.includes('--mlp-pruned')) {
      const shapes = [[16, 64], [64, 32], [32, 32], [32, 5]];
      for (const narrow of process.argv.includes('--mlp') ? [false, true] : [true]) {
        for (const [i, [nIn, nOut]] of shapes.entries()) {
          await b.layer(spec(`MLP layer ${i + 1} ${nIn}→${nOut} ${narrow ? '80%-pruned, narrowed' : 'dense'}`, narrow ? 0.8 : 0, narrow, nIn, nOut), 'xc7', 60 + i);
        }
      }
    }
    if (process.argv.includes('--json')) console.log(JSON.stringify({ source: 'synthesis estimate (Yosys 0.23: synth_xilinx -family xc7 -flatten, synth_ice40)', rows: b.rows }, null, 2));
  } finally {
    removeTempDir(dir);
  }
}

await main();
