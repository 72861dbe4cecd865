// Folded dense layers (templates/verilog/lib/ep_dense_folded.v) of the int8 digits MLP (examples/models/digits-mlp.onnx,
// 64-64-32-10, quantized here by quantizeModel on digits.csv.gz) on the iCE40 UP5K (sg48): each layer at a few reuse
// factors, then the three layers chained, placed and routed by Yosys + nextpnr-ice40 (hw-sim/nextpnr/place-ice40.ts)
// in the bit-serial I/O shell (hw-sim/nextpnr/io-shell.ts, its flip-flops included in the figures). Prints LUTs, FFs,
// logic cells, EBR, DSP, Fmax, cycles (latency RF + 6, II = RF: the module's formulas) and the latency in µs at Fmax.
// The chain is first simulated in Verilator on the calibration rows and compared with the interpreter (fc3's int8
// outputs, every vector). Goal (issue 10): the digits model folded onto the up5k places and routes at Fmax ≥ 24 MHz.
//
//   make build && node dist/bench/fpga-folded.js [--dsp] [--multiplier-bits N] [--chain-only] [--chain-p P]
//
// --dsp maps the requantizers' multiplies to SB_MAC16 (synth_ice40 -dsp; the products stay in LUTs: LUT_PRODUCTS). --multiplier-bits N rounds every requantization
// multiplier to N significant bits, as `quantize --multiplier-bits N` does (narrow multipliers, docs/numerics.md); the
// Verilator check is then skipped (the interpreter's model keeps its 31-bit multipliers). --chain-p P: the chain's
// first layer has P multipliers (default 4), the others as few as keep its initiation interval.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ioShell } from '../hw-sim/nextpnr/io-shell.js';
import { placeIce40, type Ice40PlaceResult } from '../hw-sim/nextpnr/place-ice40.js';
import { buildVerilatorHarness, runVerilatorHarness } from '../hw-sim/verilator/harness.js';
import { loadDataset } from '../src/data/load-dataset.js';
import { foldedAccumulatorBits } from '../src/emit/verilog/accumulator-bits.js';
import { packedLiteral } from '../src/emit/verilog/verilog-literals.js';
import type { Graph } from '../src/ir/graph.js';
import { nodeAttrs, runGraph } from '../src/ir/interpreter.js';
import type { Tensor } from '../src/ir/tensor.js';
import { loadModel } from '../src/import/load-model.js';
import { channelMultipliers, LAYER_INPUTS, type Int8Clamp } from '../src/ops/util/int8-params.js';
import { calibrationInputs } from '../src/quant/calibration-data.js';
import { quantizeModel } from '../src/quant/quantize.js';
import { repoPath } from '../src/util/package-root.js';

const FREQ_MHZ = 24;
const lib = (f: string) => repoPath('templates/verilog/lib', f);

interface FoldedLayer {
  name: string;
  nIn: number;
  nOut: number;
  weights: number[];
  /** B[o] - x_zp · sum_i W[o][i] */
  bias: number[];
  mult: number[];
  shift: number[];
  yZero: number;
  clamp: Int8Clamp;
}

const args = process.argv.slice(2);
const DSP = args.includes('--dsp');
const CHAIN_ONLY = args.includes('--chain-only');
const pAt = args.indexOf('--chain-p');
const CHAIN_P = pAt >= 0 ? Number(args[pAt + 1]) : 4;
const bitsAt = args.indexOf('--multiplier-bits');
const MULT_BITS = bitsAt >= 0 ? Number(args[bitsAt + 1]) : 31;
if (!(Number.isInteger(MULT_BITS) && MULT_BITS >= 8 && MULT_BITS <= 31)) throw new Error(`--multiplier-bits ${args[bitsAt + 1]}: give 8..31`);

/** M rounded to `bits` significant bits (a multiple of 2^(31 - bits)), the shift lowered when it rounds up to 2^31. */
function narrow(m: number, s: number, bits: number): [number, number] {
  if (bits === 31 || m === 0) return [m, s];
  const step = 2 ** (31 - bits);
  const r = Math.round(m / step) * step;
  return r >= 2 ** 31 ? [2 ** 30, s - 1] : [r, s];
}

/** The Int8Gemm layers of a quantized graph, in order, with the constants ep_dense_folded takes. */
function foldedLayers(q: Graph): FoldedLayer[] {
  const init = (name: string): Tensor => {
    const t = q.initializers.get(name);
    if (!t) throw new Error(`no initializer '${name}'`);
    return t;
  };
  return q.nodes
    .filter((n) => n.opType === 'Int8Gemm')
    .map((n) => {
      const w = init(n.inputs[LAYER_INPUTS.W]);
      const [nOut, nIn] = w.shape;
      const weights = Array.from(w.data as Int8Array);
      const xZero = (init(n.inputs[LAYER_INPUTS.X_ZERO]).data as Int8Array)[0];
      const b = Array.from(init(n.inputs[LAYER_INPUTS.BIAS]).data as Int32Array);
      const bias = b.map((v, o) => v - xZero * weights.slice(o * nIn, (o + 1) * nIn).reduce((s, x) => s + x, 0));
      const mults = channelMultipliers(init(n.inputs[LAYER_INPUTS.X_SCALE]), init(n.inputs[LAYER_INPUTS.W_SCALE]), init(n.inputs[LAYER_INPUTS.Y_SCALE]), nOut, n).map((m) => narrow(m.multiplier, m.shift, MULT_BITS));
      const yZero = (init(n.inputs[LAYER_INPUTS.Y_ZERO]).data as Int8Array)[0];
      return { name: n.name, nIn, nOut, weights, bias, mult: mults.map((m) => m[0]), shift: mults.map((m) => m[1]), yZero, clamp: nodeAttrs(n) as Int8Clamp };
    });
}

/** One ep_dense_folded instance of `layer` at reuse factor `rf` between the given nets. */
function instance(layer: FoldedLayer, rf: number, id: string, nets: { inValid: string; inReady: string; inData: string; outValid: string; outReady: string; outData: string }): string {
  return `    ep_dense_folded #(
        .N_IN(${layer.nIn}), .N_OUT(${layer.nOut}), .RF(${rf}), .LUT_PRODUCTS(${DSP ? 1 : 0}), .SMALL_ROMS_IN_BRAM(1),
        .ACC_BITS(${foldedAccumulatorBits(layer.weights, layer.bias, layer.nIn)}),
        .WEIGHTS(${packedLiteral(layer.weights, 8)}),
        .BIAS(${packedLiteral(layer.bias, 32)}),
        .MULT(${packedLiteral(layer.mult, 31)}),
        .SHIFT(${packedLiteral(layer.shift, 6)}),
        .Y_ZP(${layer.yZero}), .ACT_MIN(${layer.clamp.actMin}), .ACT_MAX(${layer.clamp.actMax})
    ) ${id} (
        .clk(clk), .rst(rst), .in_valid(${nets.inValid}), .in_ready(${nets.inReady}), .in_data(${nets.inData}),
        .out_valid(${nets.outValid}), .out_ready(${nets.outReady}), .out_data(${nets.outData})
    );
`;
}

/** A stream module `top` of the layers in a chain (layer i's output beat is layer i+1's input beat). */
function chainVerilog(top: string, layers: FoldedLayer[], rfs: number[]): string {
  const last = layers.length - 1;
  const wires = layers.slice(0, last).map((l, i) => `    wire v${i}, r${i};\n    wire [${8 * l.nOut - 1}:0] d${i};\n`).join('');
  const body = layers
    .map((l, i) =>
      instance(l, rfs[i], `layer${i}`, {
        inValid: i === 0 ? 'in_valid' : `v${i - 1}`,
        inReady: i === 0 ? 'in_ready' : `r${i - 1}`,
        inData: i === 0 ? 'in_data' : `d${i - 1}`,
        outValid: i === last ? 'out_valid' : `v${i}`,
        outReady: i === last ? 'out_ready' : `r${i}`,
        outData: i === last ? 'out_data' : `d${i}`,
      }),
    )
    .join('');
  return `module ${top} (
    input wire clk, input wire rst,
    input wire in_valid, output wire in_ready, input wire [${8 * layers[0].nIn - 1}:0] in_data,
    output wire out_valid, input wire out_ready, output wire [${8 * layers[last].nOut - 1}:0] out_data
);
${wires}${body}endmodule
`;
}

interface Row {
  what: string;
  rf: string;
  multipliers: number;
  latency: number;
  ii: number;
  r: Ice40PlaceResult;
}

async function place(dir: string, label: string, layers: FoldedLayer[], rfs: number[]): Promise<Ice40PlaceResult> {
  const sub = path.join(dir, label.replace(/[^a-z0-9]+/gi, '-'));
  fs.mkdirSync(sub, { recursive: true });
  const stream = path.join(sub, 'stream.v');
  fs.writeFileSync(stream, chainVerilog('folded_stream', layers, rfs));
  const shell = path.join(sub, 'shell.v');
  fs.writeFileSync(shell, ioShell({ top: 'place_top', inner: 'folded_stream', inBytes: layers[0].nIn, outBytes: layers[layers.length - 1].nOut }));
  return placeIce40({ verilog: [shell, stream, lib('ep_dense_folded.v'), lib('ep_requant.v')], top: 'place_top', device: 'up5k', package: 'sg48', freqMHz: FREQ_MHZ, dsp: DSP, outDir: sub, label });
}

/** Verilator on the calibration rows against the interpreter's fc3 outputs: mismatching vectors, and the cycle counts. */
async function checkChain(dir: string, q: Graph, feeds: Record<string, Tensor>[], layers: FoldedLayer[], rfs: number[]): Promise<{ vectors: number; wrong: number; latency: number; cycles: number }> {
  const first = q.nodes.find((n) => n.opType === 'Int8Gemm');
  const lastGemm = [...q.nodes].reverse().find((n) => n.opType === 'Int8Gemm');
  if (!first || !lastGemm) throw new Error('no Int8Gemm in the quantized model');
  const inputs: number[][] = [];
  const want: number[][] = [];
  for (const feed of feeds) {
    const env = runGraph(q, feed, { keepIntermediates: true });
    inputs.push(Array.from(env.get(first.inputs[0])?.data as Int8Array));
    want.push(Array.from(env.get(lastGemm.outputs[0])?.data as Int8Array));
  }
  const top = path.join(dir, 'chain', 'ep_dense_folded_tb_top.v');
  fs.mkdirSync(path.dirname(top), { recursive: true });
  fs.writeFileSync(top, chainVerilog('ep_dense_folded_tb_top', layers, rfs));
  const harness = await buildVerilatorHarness({
    top: 'ep_dense_folded_tb_top',
    verilog: [top, lib('ep_dense_folded.v'), lib('ep_requant.v')],
    testbench: [lib('tb/ep_dense_folded_tb.cpp')],
    headers: [lib('tb/ep_stream_tb.h')],
  });
  const file = path.join(dir, 'vectors.txt');
  fs.writeFileSync(file, inputs.map((v) => v.join(' ')).join('\n'));
  const nOut = layers[layers.length - 1].nOut;
  const lines = (await runVerilatorHarness(harness, [String(layers[0].nIn), String(nOut), String(Math.max(...rfs)), file, '0'], 'simulating the folded digits MLP', 600_000)).trim().split('\n');
  const got = lines.slice(0, inputs.length);
  const stats = Object.fromEntries(lines.slice(inputs.length).map((l) => l.split(' ')).map(([k, v]) => [k, Number(v)]));
  const wrong = want.filter((w, i) => got[i] !== w.join(' ')).length;
  return { vectors: inputs.length, wrong, latency: stats.latency, cycles: stats.cycles };
}

function printHeader(): void {
  console.log(`${'layers'.padEnd(22)} ${'RF'.padStart(14)} ${'mults'.padStart(5)} ${'LUT'.padStart(5)} ${'FF'.padStart(5)} ${'LC'.padStart(11)} ${'EBR'.padStart(5)} ${'DSP'.padStart(4)} ${'Fmax MHz'.padStart(8)} ${'cycles'.padStart(6)} ${'II'.padStart(5)} ${'µs@Fmax'.padStart(8)}`);
}

function printRow({ what, rf, multipliers, latency, ii, r }: Row): void {
  const u = r.utilisation;
  console.log(
    `${what.padEnd(22)} ${rf.padStart(14)} ${String(multipliers).padStart(5)} ${String(u.luts).padStart(5)} ${String(u.flipFlops).padStart(5)} ${`${u.logicCells.used}/${u.logicCells.available}`.padStart(11)} ${`${u.ebr.used}/${u.ebr.available}`.padStart(5)} ${`${u.dsp.used}/${u.dsp.available}`.padStart(4)} ${r.fmaxMHz.toFixed(1).padStart(8)} ${String(latency).padStart(6)} ${String(ii).padStart(5)} ${(latency / r.fmaxMHz).toFixed(1).padStart(8)}`,
  );
  if (r.criticalPath) console.log(`${''.padEnd(22)}   critical path ${r.criticalPath.delayNs} ns: ${r.criticalPath.from} → ${r.criticalPath.to}`);
}

async function main(): Promise<void> {
  const model = repoPath('examples/models/digits-mlp.onnx');
  const g = await loadModel(model);
  const feeds = calibrationInputs(g, loadDataset(repoPath('examples/digits/digits.csv.gz')));
  const q = quantizeModel(g, feeds).graph;
  const layers = foldedLayers(q);
  console.log(`digits MLP ${[layers[0].nIn, ...layers.map((l) => l.nOut)].join('-')} int8 (${layers.reduce((s, l) => s + l.weights.length, 0)} weights), multipliers ${MULT_BITS} bits, ${DSP ? 'requantizer multiplies on SB_MAC16 (-dsp), products in LUTs' : 'every multiply in LUTs'}; iCE40 up5k-sg48 at a ${FREQ_MHZ} MHz target; ${os.cpus().length} cores`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-fpga-folded-'));
  try {
    // The chain: every layer at the first one's reuse factor with P = CHAIN_P (the initiation interval is the largest RF),
    // P = N_IN·N_OUT / RF rounded down to a legal divisor of N_IN (at least 1).
    const ii = (layers[0].nIn * layers[0].nOut) / CHAIN_P;
    const chainRfs = layers.map((l) => {
      let p = Math.max(1, Math.floor((l.nIn * l.nOut) / ii));
      while (l.nIn % p !== 0) p--;
      return (l.nIn * l.nOut) / p;
    });
    if (MULT_BITS === 31) {
      const c = await checkChain(dir, q, feeds, layers, chainRfs);
      console.log(`Verilator = interpreter (fc3 int8 outputs): ${c.vectors - c.wrong}/${c.vectors} vectors; latency ${c.latency} cycles (formula ${chainRfs.reduce((s, rf) => s + rf + 6, 0)}), ${c.vectors} vectors in ${c.cycles} cycles`);
    }
    const rows: Row[] = [];
    const add = (row: Row) => {
      if (rows.length === 0) printHeader();
      rows.push(row);
      printRow(row);
    };
    if (!CHAIN_ONLY) {
      for (const layer of layers) {
        for (const p of [8, 4]) {
          if (layer.nIn % p !== 0) continue;
          const rf = (layer.nIn * layer.nOut) / p;
          const r = await place(dir, `${layer.name} RF ${rf}`, [layer], [rf]);
          add({ what: `${layer.name} ${layer.nIn}→${layer.nOut}`, rf: String(rf), multipliers: p, latency: rf + 6, ii: rf, r });
        }
      }
    }
    try {
      const r = await place(dir, 'digits MLP chain', layers, chainRfs);
      add({ what: `chain ${layers.map((l) => l.name).join('+')}`, rf: chainRfs.join('+'), multipliers: chainRfs.reduce((s, rf, i) => s + (layers[i].nIn * layers[i].nOut) / rf, 0), latency: chainRfs.reduce((s, rf) => s + rf + 6, 0), ii: Math.max(...chainRfs), r });
    } catch (e) {
      console.log(`chain: ${e instanceof Error ? e.message : String(e)}`);
    }
    const chain = rows.find((r) => r.what.startsWith('chain'));
    if (chain) console.log(`chain on up5k: ${chain.r.meetsTarget ? 'meets' : 'MISSES'} ${FREQ_MHZ} MHz (Fmax ${chain.r.fmaxMHz.toFixed(1)} MHz), bitstream ${chain.r.bitstream.bytes} bytes, latency ${(chain.latency / chain.r.fmaxMHz).toFixed(1)} µs at Fmax`);
    if (rows.length > 0) console.log(`tools: ${rows[0].r.toolVersions.yosys}; ${rows[0].r.toolVersions.nextpnr}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
