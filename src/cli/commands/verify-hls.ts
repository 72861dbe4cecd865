// `edgeprune verify <model> --target <fpga> --hls`: the model's HLS C++ C-simulated with g++ against the interpreter
// (src/verify/verify-hls.ts); exit 4 when an output or a layer differs. Vitis HLS is not run.

import { loadModel, modelDisplayName } from '../../import/load-model.js';
import type { FpgaTarget } from '../../targets/schema.js';
import { terminalJson, terminalName, terminalText } from '../../util/escape.js';
import { verifyHls, type HlsVerifyReport } from '../../verify/verify-hls.js';
import { loadVerifyVectors } from '../verify-data.js';
import { renderTable } from '../format.js';
import { modelForFpga } from '../fpga-model.js';
import { reuseFactorsFor } from '../reuse-factor-option.js';
import type { VerifyFpgaOptions } from './verify-fpga.js';

export function renderHlsVerify(r: HlsVerifyReport): string {
  const rows = r.perLayer.map((l) => [String(l.layer), terminalName(l.node), terminalText(l.op), l.function, String(l.reuseFactor), l.mismatches === 0 ? 'ok' : `${l.mismatches} differ`]);
  const first = r.firstDivergingLayer;
  return [
    `verify ${terminalName(r.model)} for ${r.target} as HLS C++ (${r.runOn})`,
    `vectors: ${terminalText(r.vectorSource)}`,
    '',
    renderTable(['#', 'layer', 'op', 'function', 'RF', 'vs interpreter'], rows, [true, false, false, false, true, false]),
    '',
    r.passed
      ? `PASSED: ${r.vectors}/${r.vectors} vectors bit-exact with the interpreter, every layer's output too`
      : `FAILED: ${r.mismatchCount} output mismatches over ${r.vectors} vectors${first ? `; first diverging layer: #${first.layer} ${terminalName(first.node)} (${terminalText(first.op)})` : ''}`,
    `precision: ${terminalText(r.precision.reason)}`,
    r.vendorSynthesis,
    `time: g++ build ${(r.durationsMs.build / 1000).toFixed(2)} s${r.csimCached ? ' (from the cache)' : ''} · C simulation ${(r.durationsMs.run / 1000).toFixed(2)} s`,
  ].join('\n');
}

export async function verifyHlsForFpga(file: string, target: FpgaTarget, options: VerifyFpgaOptions): Promise<HlsVerifyReport> {
  const model = await loadModel(file, { inputShapes: options.inputShape });
  const { graph, choice } = modelForFpga(model, target, options, 'verify');
  const vectors = loadVerifyVectors(graph, options, false);
  const report = await verifyHls(graph, modelDisplayName(file), {
    target, vectors, precision: choice, top: options.prefix, reuseFactors: reuseFactorsFor(graph, options.reuseFactor),
    log: options.json ? undefined : (line) => process.stderr.write(`${terminalText(line)}\n`),
  });
  console.log(options.json ? terminalJson(report) : renderHlsVerify(report));
  return report;
}
