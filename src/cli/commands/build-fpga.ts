// `edgeprune build <model> --target <fpga> --data <file> [--latency-cycles N | --latency-us X] [--max-luts N]
// [--max-dsps N] [--max-brams N] --out <dir>`: the FPGA side of the main job (src/build/fpga/fpga-build.ts).

import path from 'node:path';
import { buildForFpga } from '../../build/fpga/fpga-build.js';
import { parseFpgaBudgets } from '../../build/fpga/fpga-budgets.js';
import { modelPrecision } from '../../analysis/model-precision.js';
import { mappingText } from '../../emit/verilog/fpga-project.js';
import { DEFAULT_FPGA_VERIFY_VECTORS } from './build.js';
import { UserError } from '../../errors.js';
import { loadModel, modelDisplayName } from '../../import/load-model.js';
import type { FpgaBuildReport } from '../../report/fpga-build-report.js';
import { quantizationText } from '../../report/html-report.js';
import type { FpgaTarget } from '../../targets/schema.js';
import { terminalJson, terminalName, terminalText } from '../../util/escape.js';
import { checkOutputDir, writeDirAtomically } from '../../util/write-dir.js';
import { formatCount, renderTable } from '../format.js';
import { fpgaMultiplierBits } from '../fpga-model.js';
import { progressReporter } from '../progress.js';
import { refuseOtherKindFlags } from '../target-kind-flags.js';
import type { CalibrationMethod } from '../../quant/calibrate.js';
import { searchOptions, type BuildCliOptions } from './build.js';
import { loadFittedSplit } from '../data-options.js';
import { createFineTuner } from '../training-options.js';

/**
 * Quantization-aware fine-tuning epochs of an FPGA build when --qat-epochs is not given: the narrow multipliers the
 * DSP blocks take (15 bits on iCE40) cost accuracy that post-training quantization alone does not win back
 * (the digits MLP: 2.2 points after PTQ, 0.6 after 5 epochs of QAT; bench/fpga-digits-ice40.ts).
 */
export const DEFAULT_FPGA_QAT_EPOCHS = 5;

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const count = (x: number | null) => (x === null ? '-' : formatCount(x));

export function renderFpgaBuildSummary(r: FpgaBuildReport, out: string): string {
  const budgets = r.budgets.map((b) => [b.label, terminalText(b.givenAs), formatCount(b.limit), formatCount(b.estimated), count(b.measured), b.pass ? 'pass' : 'FAIL']);
  const layers = r.layers.map((l) => [
    terminalName(l.name), l.op,
    l.after ? `${formatCount(l.before.params)} → ${formatCount(l.after.params)}` : `${formatCount(l.before.params)} → removed`,
    l.after?.sparsity == null ? '-' : `${(l.after.sparsity * 100).toFixed(0)}%`,
    l.hardware ? `${l.hardware.module} RF ${l.hardware.reuseFactor}` : '-',
    l.hardware ? String(l.hardware.latencyCycles) : '-',
    l.hardware ? `${l.hardware.multipliers}` : '-',
    l.hardware ? `${formatCount(l.hardware.luts)} / ${l.hardware.dsps} / ${l.hardware.brams}` : '-',
  ]);
  const c = r.design.clock;
  const a = r.accuracy;
  const lines = [
    renderTable(['budget', 'given as', 'limit', 'estimated', 'measured', 'result'], budgets, [false, false, true, true, true, false]),
    `resources count: ${r.resourceScope}`,
    '',
    renderTable(['layer', 'op', 'params', 'zeros after', 'module', 'cycles', 'multipliers', 'LUT / DSP / BRAM (predicted)'], layers, [false, false, true, true, false, true, true, true]),
    '',
    `accuracy (test): dense float ${pct(a.dense)} → pruned float ${pct(a.prunedFloat)} → final int8 ${pct(a.final)} (dense float → int8: ${a.dropPoints.toFixed(2)} points; allowed ${a.maxDropPoints})`,
    `int8: ${quantizationText(r.quantization)}`,
    `design: latency ${formatCount(r.verification?.latencyCycles ?? r.estimatedCosts.final.latencyCycles)} cycles; reuse factors ${Object.entries(r.design.reuseFactors).map(([k, rf]) => `${terminalName(k)}=${rf}`).join(', ')}; ${r.design.multipliers.count} multipliers (${mappingText(r.design.multipliers)}); a new input every ${formatCount(r.design.initiationInterval)} cycles`,
    `clock: ${c.latencyUsAtBoardClock.toFixed(2)} µs at the ${c.boardMHz} MHz board clock${c.fmaxMHz !== null ? `; Fmax ${c.fmaxMHz.toFixed(1)} MHz (nextpnr) → ${c.latencyUsAtFmax!.toFixed(2)} µs` : ''}${r.design.bitstreamBytes !== null ? `; bitstream ${formatCount(r.design.bitstreamBytes)} bytes (icepack)` : ''}`,
  ];
  const v = r.verification;
  lines.push(`verified in ${terminalText(v.runOn)}: ${v.passed ? `${v.vectors}/${v.vectors} vectors bit-exact with the interpreter` : `${v.mismatchCount} OUTPUTS DIFFER`}; resources: ${terminalText(v.resourcesSource ?? 'not measured')}${v.placement ? `; ${formatCount(v.placement.logicCells.used)} of ${formatCount(v.placement.logicCells.available)} logic cells placed` : ''}`);
  if (v.overflow) lines.push(`placement failed: ${terminalText(v.overflow)}`);
  if (r.stoppedBecause) lines.push(`search stopped: ${terminalText(r.stoppedBecause)}`);
  for (const b of r.budgets.filter((x) => !x.pass && x.smallestSeen)) {
    lines.push(`smallest ${b.label} any candidate reached: ${formatCount(b.smallestSeen!.cost)} predicted (${terminalText(b.smallestSeen!.description)}, validation ${pct(b.smallestSeen!.validation)})`);
  }
  lines.push(r.passed ? 'ALL BUDGETS MET' : `NOT MET: ${terminalText(r.failed.join('; '))}`);
  lines.push(terminalText(`report: ${path.join(out, 'report.html')} (and report.json); RTL project: ${path.join(out, 'fpga')}/; HLS C++: ${path.join(out, 'hls')}/; model: ${path.join(out, 'model.onnx')}`));
  return lines.join('\n');
}

/** The FPGA build; returns whether every budget (and the accuracy limit) held. */
export async function runFpgaBuild(file: string, target: FpgaTarget, o: BuildCliOptions, method: CalibrationMethod): Promise<boolean> {
  refuseOtherKindFlags([['--latency-ms', o.latencyMs !== undefined], ['--max-instructions', o.maxInstructions !== undefined], ['--deadline-ms', o.deadlineMs !== undefined], ['--max-instructions-worst-case', o.maxInstructionsWorstCase !== undefined], ['--ram-kb', o.ramKb !== undefined], ['--flash-kb', o.flashKb !== undefined]], 'MCU', target.name, () => 'FPGA budgets: --latency-cycles, --latency-us, --max-luts, --max-dsps, --max-brams');
  if (o.precision === 'float32') throw new UserError(`--precision float32: ${target.name} is an FPGA target and the RTL is integer only`, 'drop --precision (FPGA builds deploy int8)');
  const budgets = parseFpgaBudgets(o, target);
  const outOptions = { force: o.force, inputs: [file, o.data] };
  checkOutputDir(o.out, outOptions);
  const g = await loadModel(file, { inputShapes: o.inputShape });
  if (modelPrecision(g).precision === 'int8') {
    throw new UserError(`${terminalName(modelDisplayName(file))} is already quantized (int8); build prunes and fine-tunes a float model, then quantizes it for ${target.name}`, 'give the trained float model (edgeprune train writes one), or compile the int8 model as it is: edgeprune compile <model> --target ' + target.name);
  }
  const data = loadFittedSplit(o.data, o, g);
  const trainer = await createFineTuner(o, data.train, g);
  const progress = progressReporter(false);
  const bits = fpgaMultiplierBits(target);
  progress.line(`precision: int8 (FPGA target; ${bits}-bit requantization multipliers for ${target.resources.dspKind ?? 'the DSP block'})`);
  try {
    const result = await buildForFpga({
      modelName: modelDisplayName(file),
      graph: g, target, data, trainer, budgets,
      search: searchOptions(o, 'fpga'),
      verifyVectors: o.verifyVectors ?? DEFAULT_FPGA_VERIFY_VECTORS,
      multipliers: o.multipliers ?? 'auto',
      int8: { method, denseWeights: o.denseWeights, qatEpochs: o.qatEpochs ?? DEFAULT_FPGA_QAT_EPOCHS, seed: o.seed, batchSize: o.batchSize, backend: o.backend, multiplierBits: bits },
      events: {
        onPhase: (t) => progress.line(terminalText(t)),
        onWarning: (w) => progress.line(`warning: ${terminalText(w)}`),
        onIteration: (it) => progress.line(`step ${it.iteration}: lowering ${it.constrained} by ${formatCount(it.step)} · ${it.proposals.length} proposals · chose ${terminalText(it.chosen ?? 'none')} · ${formatCount(it.costs.latencyCycles)} cycles, ${formatCount(it.costs.luts)} LUTs, ${formatCount(it.costs.logicCells)} logic cells, ${it.costs.dsps} DSPs, ${it.costs.brams} BRAMs · validation ${pct(it.validation)} (${(it.wallMs / 1000).toFixed(1)} s)`),
      },
    });
    writeDirAtomically(o.out, result.files, outOptions);
    console.log(o.json ? terminalJson(result.report) : renderFpgaBuildSummary(result.report, o.out));
    return result.report.passed;
  } finally {
    trainer.dispose();
  }
}
