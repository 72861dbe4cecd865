// `edgeprune build --target <fpga>`: prune the float model under cycle and resource budgets (the NetAdapt search of
// search.ts, each candidate priced as its quantized model's best design: fpga-pricing.ts), quantize the pruned model
// for the family's DSP block, choose its reuse factors and multiplier mapping, then prove it: Verilator bit-exact
// against the interpreter on test samples, with the cycles measured, and Yosys (nextpnr and icepack on iCE40) for the
// resources, the clock and the bitstream. When the tools measure over a budget the model predicted met, the search
// goes on against a tighter internal limit, as on the MCU side.

import { exportOnnx } from '../../onnx/export.js';
import { interpreterScore } from '../../data/evaluate.js';
import { fpgaOutputFiles, type FpgaOutput } from '../../emit/fpga-output.js';
import { multipliersSummary, type MultiplierMapping } from '../../emit/verilog/fpga-project.js';
import type { Graph } from '../../ir/graph.js';
import type { ProgressiveData } from '../../prune/progressive.js';
import type { Trainer } from '../../prune/trainer.js';
import { fpgaBuildReport, type FpgaBuildReport } from '../../report/fpga-build-report.js';
import { renderFpgaHtmlReport } from '../../report/fpga-html-report.js';
import type { FpgaTarget } from '../../targets/schema.js';
import { allHold, tightened } from '../budgets.js';
import { sampleVectors } from '../build.js';
import { quantizePruned, searchQuantizer, type Int8Deployment, type Int8Options } from '../int8-deployment.js';
import { continuedSearch, searchUnderBudget, type SearchEvents, type SearchOptions, type SearchResult } from '../search.js';
import { chooseFpgaDesign, type FpgaDesignChoice } from './choose-design.js';
import type { FpgaBudget, FpgaBudgetName, FpgaCosts } from './fpga-budgets.js';
import { UserError } from '../../errors.js';
import { MissingFormulaError } from '../../cost/fpga/predict.js';
import { fpgaPricing } from './fpga-pricing.js';
import { measureDesign, type MeasuredDesign } from './measure-design.js';

export interface FpgaBuildInput {
  modelName: string;
  /** The trained float model (pruned and fine-tuned in float, then quantized). */
  graph: Graph;
  target: FpgaTarget;
  data: ProgressiveData;
  trainer: Trainer;
  budgets: FpgaBudget[];
  search: Omit<SearchOptions<FpgaBudgetName>, 'budgets'>;
  /** Where multipliers may go (--multipliers): every mapping the design choice weighs, or DSP blocks only, or logic only. */
  multipliers: MultiplierMapping;
  /** Test samples the RTL is simulated on. */
  verifyVectors: number;
  /** The final quantization (multiplierBits: the family's DSP operand). */
  int8: Int8Options & { multiplierBits: number };
  events?: SearchEvents<FpgaBudgetName> & { onPhase?: (text: string) => void };
}

export interface FpgaBuildOutput {
  report: FpgaBuildReport;
  files: Map<string, string | Uint8Array>;
  graph: Graph;
}

/** The dense model's best design (the search's start): a model with a layer the FPGA cost model cannot price is refused here, before any training. */
function priceDense(input: FpgaBuildInput, quantize: (g: Graph) => Graph): FpgaCosts {
  try {
    return fpgaPricing(input.target, input.budgets, quantize, input.multipliers).costs(input.graph);
  } catch (e) {
    if (!(e instanceof MissingFormulaError)) throw e;
    throw new UserError(
      `build --target ${input.target.name} prices every candidate design with the FPGA cost model, and ${e.message.replace(/^the FPGA cost model /, 'it ')}`,
      `the RTL of this model can be compiled and verified at reuse factors you choose (edgeprune compile|verify <model> --target ${input.target.name} --calibration-data <file> --reuse-factor ...), or built for an MCU target`,
    );
  }
}

export async function buildForFpga(input: FpgaBuildInput): Promise<FpgaBuildOutput> {
  const { target, data, trainer, budgets } = input;
  const log = input.events?.onPhase ?? (() => {});
  const quantize = searchQuantizer(data.train, { multiplierBits: input.int8.multiplierBits });
  const denseCosts = priceDense(input, quantize);
  let internal = budgets;
  let search: SearchResult<FpgaBudgetName> | undefined;
  let deployment: Int8Deployment | undefined;
  let design: FpgaDesignChoice | undefined;
  let measured: MeasuredDesign | undefined;
  let output: FpgaOutput | undefined;
  for (let round = 0; round < 3; round++) {
    log(round === 0 ? 'searching under the budgets (FPGA cost model: reuse factors and multiplier mapping chosen per candidate)' : `the tools measured over budget: searching on with tighter internal limits (round ${round + 1})`);
    const pricing = fpgaPricing(target, internal, quantize, input.multipliers);
    const next = await searchUnderBudget(search?.graph ?? input.graph, trainer, data, (g) => pricing.costs(g), { ...input.search, budgets: internal, reference: search?.dense, round, origin: { graph: input.graph, keptEpochs: search?.fineTuning.keptEpochs ?? 0 } }, input.events);
    search = search ? continuedSearch(search, next) : next;
    const how = input.int8.qatEpochs === undefined ? 'post-training' : `after ${input.int8.qatEpochs} epoch(s) of quantization-aware fine-tuning`;
    log(`quantizing the pruned model to int8 (${how}, ${input.int8.method} ranges, ${input.int8.multiplierBits}-bit multipliers)`);
    deployment = await quantizePruned(search.graph, data.train, input.int8);
    design = chooseFpgaDesign(deployment.graph, target, internal, undefined, input.multipliers);
    const inputs = sampleVectors(deployment.graph, data.test, input.verifyVectors);
    log(`verifying the design in Verilator on ${inputs.length} test samples and measuring it with Yosys${target.pnr ? ', nextpnr and icepack' : ''} (reuse factors ${Object.entries(design.reuseFactors).map(([k, rf]) => `${k}=${rf}`).join(', ')})`);
    const vectors = { inputs, source: `${inputs.length} samples of the test split of ${data.test.source}` };
    const precision = { precision: 'int8' as const, reason: `int8 (FPGA target; ${deployment.summary.scheme === 'qat' ? 'quantization-aware fine-tuning, then ' : ''}${input.int8.multiplierBits}-bit multipliers)` };
    output = fpgaOutputFiles(deployment.graph, target, { reuseFactors: design.reuseFactors, multipliers: design.multipliers, productsInLogic: design.productsInLogic });
    measured = await measureDesign(deployment.graph, input.modelName, target, output.project, design, vectors, precision, log);
    if (measured.overflow) log(`nextpnr: ${measured.overflow}`);
    if (!search.met || allHold(budgets, measured.costs)) break;
    internal = tightened(internal, design.costs, measured.costs);
  }
  const deployed = deployment!.graph;
  const chosen = design!;
  const built = output!;
  const files = new Map<string, string | Uint8Array>();
  files.set('model.onnx', exportOnnx(deployed));
  for (const [name, text] of built.files) files.set(name.startsWith('hls/') ? name : `fpga/${name}`, text);
  const fileList = [...files.keys(), 'report.json', 'report.html'].sort();
  const report = fpgaBuildReport({
    model: input.modelName, target, budgets, maxDrop: input.search.maxDrop,
    dense: input.graph, pruned: search!.graph,
    deployed: { graph: deployed, test: interpreterScore(deployed, data.test), quantization: deployment!.summary },
    denseCosts, design: chosen, multipliers: multipliersSummary(built.project), search: search!, measured: measured!, files: fileList,
  });
  files.set('report.json', `${JSON.stringify(report, null, 2)}\n`);
  files.set('report.html', renderFpgaHtmlReport(report));
  return { report, files, graph: deployed };
}
