// `edgeprune verify <model> --target <fpga>`: Verilator against the interpreter, and with --synth the FPGA tools'
// figures (src/verify/verify-fpga.ts); exit 4 when an output differs.

import { loadModel, modelDisplayName } from '../../import/load-model.js';
import type { InputShapes } from '../../passes/fix-input-shapes.js';
import type { FpgaTarget } from '../../targets/schema.js';
import { terminalJson, terminalName, terminalText } from '../../util/escape.js';
import { verifyOnFpga, type FpgaVerifyReport } from '../../verify/verify-fpga.js';
import { loadVerifyVectors, type VerifyDataOptions } from '../verify-data.js';
import { formatCount, renderTable } from '../format.js';
import { modelForFpga } from '../fpga-model.js';
import type { PrecisionOptions } from '../precision-options.js';
import { reuseFactorsFor, type ReuseFactorSpec } from '../reuse-factor-option.js';
import { mappingText, type MultiplierMapping } from '../../emit/verilog/fpga-project.js';
import { verifyOnFpgaPort } from '../../verify/verify-fpga-port.js';
import { renderFpgaPortVerify } from './verify-fpga-port.js';

export interface VerifyFpgaOptions extends PrecisionOptions, VerifyDataOptions {
  prefix?: string;
  json?: boolean;
  inputShape?: InputShapes;
  reuseFactor?: ReuseFactorSpec;
  multipliers?: MultiplierMapping;
  synth?: boolean;
  /** A real board running the board top, on this serial port (src/verify/verify-fpga-port.ts). */
  port?: string;
}

const count = (x: number | null) => (x === null ? '-' : formatCount(x));

export function renderFpgaVerify(r: FpgaVerifyReport): string {
  const rows = r.perLayer.map((l, i) => [
    String(i), terminalName(l.node), terminalText(l.op), l.module, String(l.reuseFactor), String(l.latencyCycles),
    `${l.multipliers.weights} + ${l.multipliers.requantizers}`, l.mismatches === 0 ? 'ok' : `${l.mismatches} differ`,
  ]);
  const lines = [
    `verify ${terminalName(r.model)} on ${r.target} (${terminalText(r.runOn)})`,
    `vectors: ${terminalText(r.vectorSource)}`,
    '',
    renderTable(['#', 'layer', 'op', 'module', 'RF', 'latency', 'multipliers', 'vs interpreter'], rows, [true, false, false, false, true, true, true, false]),
    '',
    r.passed
      ? `PASSED: ${r.vectors}/${r.vectors} vectors bit-exact with the interpreter, every layer's output too (with and without output stalls)`
      : `FAILED: ${r.mismatchCount} output mismatches over ${r.vectors} vectors${r.firstDivergingLayer ? `; first diverging layer: #${r.firstDivergingLayer.layer} ${terminalName(r.firstDivergingLayer.node)} (${terminalText(r.firstDivergingLayer.op)})` : ''}`,
    `precision: ${terminalText(r.precision.reason)}`,
    `latency: ${r.latencyCycles} cycles, a new input every ${r.initiationInterval} cycle(s) → ${r.latencyUs.toFixed(3)} µs at ${r.clockMHz.toFixed(1)} MHz (${terminalText(r.clockSource)})`,
  ];
  const impl = r.implementation;
  if (impl) {
    lines.push(`multipliers: ${r.multipliers.count}, ${mappingText(r.multipliers)} (${terminalText(r.multipliers.reason)})`);
    lines.push(`resources (${impl.scope}): ${count(r.luts)} LUTs · ${count(r.ffs)} FFs · ${count(r.dsps)} DSPs · ${count(r.brams)} block RAMs (${terminalText(impl.source)})`);
    if (impl.fmaxMHz !== null) lines.push(`Fmax (nextpnr): ${impl.fmaxMHz.toFixed(1)} MHz${impl.bitstreamBytes !== null ? ` · bitstream ${formatCount(impl.bitstreamBytes)} bytes (icepack)` : ''}`);
    if (impl.logicTiming) lines.push(`clock bound: ${impl.logicTiming.logicDelayNs.toFixed(2)} ns of cell delay → ≤ ${impl.logicTiming.fmaxUpperBoundMHz.toFixed(0)} MHz (${terminalText(impl.logicTiming.source)})`);
  } else {
    lines.push('resources: not measured (add --synth for Yosys' + (r.family === 'ice40' ? ', nextpnr and icepack' : '') + ')');
  }
  lines.push(`time: simulate ${(r.durationsMs.simulate / 1000).toFixed(2)} s${r.harnessCached ? ' (Verilator harness from the cache)' : ''}${impl ? ` · synthesis ${(r.durationsMs.synth / 1000).toFixed(2)} s` : ''}`);
  return lines.join('\n');
}

export async function verifyForFpga(file: string, target: FpgaTarget, options: VerifyFpgaOptions): Promise<FpgaVerifyReport> {
  const model = await loadModel(file, { inputShapes: options.inputShape });
  const { graph, choice } = modelForFpga(model, target, options, 'verify');
  const vectors = loadVerifyVectors(graph, options, false);
  if (options.port) {
    const report = await verifyOnFpgaPort(graph, modelDisplayName(file), {
      target, vectors, precision: choice, top: options.prefix, port: options.port,
      reuseFactors: reuseFactorsFor(graph, options.reuseFactor), multipliers: options.multipliers,
      log: options.json ? undefined : (line) => process.stderr.write(`${terminalText(line)}\n`),
    });
    console.log(options.json ? terminalJson(report) : renderFpgaPortVerify(report));
    return report;
  }
  const report = await verifyOnFpga(graph, modelDisplayName(file), {
    target, vectors, precision: choice, synth: options.synth, top: options.prefix,
    reuseFactors: reuseFactorsFor(graph, options.reuseFactor), multipliers: options.multipliers,
    log: options.json ? undefined : (line) => process.stderr.write(`${terminalText(line)}\n`),
  });
  console.log(options.json ? terminalJson(report) : renderFpgaVerify(report));
  return report;
}
