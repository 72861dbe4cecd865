// Hand-made inputs of the build report: a dense and a pruned graph (one layer removed), a SearchResult, a VerifyReport.
import type { Budget, Costs } from '../../src/build/budgets.js';
import type { SearchIteration, SearchResult } from '../../src/build/search.js';
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import type { ReportInput } from '../../src/report/build-report.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import type { VerifyReport } from '../../src/verify/verify-mcu.js';

function values(n: number, zeros = 0): number[] {
  return Array.from({ length: n }, (_, i) => (i < zeros ? 0 : ((i % 5) - 2) / 10 + 0.05));
}

function gemm(b: GraphBuilder, x: string, name: string, k: number, n: number, zeros = 0): string {
  const w = b.initializer(`${name}.weight`, Tensor.fromNumbers('float32', [n, k], values(n * k, zeros)));
  const bias = b.initializer(`${name}.bias`, Tensor.fromNumbers('float32', [n], values(n)));
  return b.op('Gemm', [x, w, bias], { transB: attr.int(1) }, name);
}

/** 8 → fc1 (6) → act1 → fc2 (4) → act2 → head (3) → probs. */
export function denseGraph(): Graph {
  const b = new GraphBuilder('dense');
  let x = b.input('x', 'float32', [1, 8]);
  x = b.op('Relu', [gemm(b, x, 'fc1', 8, 6)], {}, 'act1');
  x = b.op('Relu', [gemm(b, x, 'fc2', 6, 4)], {}, 'act2');
  b.output(b.op('Softmax', [gemm(b, x, 'head', 4, 3)], { axis: attr.int(-1) }, 'probs'));
  return b.build();
}

/** fc1 cut to 3 units with 6 of its 24 weights zero; fc2 and act2 removed. */
export function finalGraph(): Graph {
  const b = new GraphBuilder('final');
  let x = b.input('x', 'float32', [1, 8]);
  x = b.op('Relu', [gemm(b, x, 'fc1', 8, 3, 6)], {}, 'act1');
  b.output(b.op('Softmax', [gemm(b, x, 'head', 3, 3)], { axis: attr.int(-1) }, 'probs'));
  return b.build();
}

export const budgets: Budget[] = [
  { name: 'instructions', limit: 10_000, givenAs: '--max-instructions 10000' },
  { name: 'ramBytes', limit: 1024, givenAs: '--ram-kb 1' },
  { name: 'flashBytes', limit: 6144, givenAs: '--flash-kb 6' },
];

export const denseCosts: Costs = { instructions: 12_000, instructionsWorstCase: 12_000, ramBytes: 1500, flashBytes: 9000 };
export const finalCosts: Costs = { instructions: 9000, instructionsWorstCase: 9000, ramBytes: 1200, flashBytes: 5000 };

function iteration(i: number, chosen: string | null, costs: Costs, validation: number, proposals: number, wallMs: number): SearchIteration {
  return {
    iteration: i, constrained: i === 1 ? 'instructions' : 'ramBytes', step: 600, chosen, costs, validation,
    proposals: Array.from({ length: proposals }, (_, k) => ({ description: `proposal ${k}`, costs, validation })),
    sparsity: 0.05 * i, params: 200 - 40 * i, macs: 150 - 30 * i, wallMs,
  };
}

export function searchResult(o: Partial<SearchResult> = {}): SearchResult {
  return {
    graph: finalGraph(),
    masks: new Map(),
    met: true,
    stoppedBecause: null,
    dense: { validation: 0.92, test: 0.95, costs: denseCosts },
    final: { validation: 0.9, test: 0.9, costs: finalCosts },
    iterations: [
      iteration(1, 'fc1: 3 of 6 neurons', { instructions: 10_500, instructionsWorstCase: 10_500, ramBytes: 1400, flashBytes: 7000 }, 0.91, 3, 1500),
      iteration(2, 'fc2: 3 of 4 neurons', finalCosts, 0.895, 2, 2250),
      iteration(3, null, finalCosts, 0.895, 4, 800),
    ],
    smallestSeen: { instructions: { cost: 8_000, description: 'fc1: 5 of 6 neurons', validation: 0.5 } },
    fineTuning: { epochs: 9, keptEpochs: 5 },
    ...o,
  };
}

export function verification(passed: boolean): VerifyReport {
  return {
    passed, model: 'm', target: 'stm32f405', runOn: 'qemu netduinoplus2', vectorSource: 'test split', vectors: 8,
    precision: { precision: 'float32', reason: 'float32 (the default: stm32f405\'s cortex-m4 has an FPU, fpv4-sp-d16)' }, comparison: 'tolerance', constantTimeMac: false, bitExactVectors: 0,
    tolerance: { atol: 1e-4, rtol: 1e-4 }, maxAbsError: passed ? 2e-7 : 0.5, maxAbsErrorExpected: null, hostBitIdentical: true,
    instructions: 11_000, cycles: null, macs: 75, instructionsPerMac: 146.7, estimatedMs: 0.079, estimateBasis: '1.2 cycles/instruction at 168 MHz',
    flashBytes: 5500, weightBytes: 400, codeBytes: 5100, ramBytes: 900, firmwareFlashBytes: 20_000, firmwareRamBytes: 3000,
    arenaBytes: 96, arenaLowerBoundBytes: 64, stackBytes: 100,
    durationsMs: { compile: 1, build: 2, run: 3, total: 6 }, buildDir: null, floatReference: null, accuracy: null, results: [],
  };
}

export const denseInstructions = new Map([['fc1', 1000.4], ['act1', 50], ['fc2', 600], ['head', 300], ['probs', 120.6]]);
export const finalInstructions = new Map([['fc1', 500.5], ['act1', 25], ['head', 250], ['probs', 121]]);

export function reportInput(o: Partial<ReportInput> = {}): ReportInput {
  return {
    model: 'tiny-mlp', target: findMcuTarget('stm32f405'), budgets, maxDrop: 2,
    dense: denseGraph(), final: finalGraph(), denseInstructions, finalInstructions,
    search: searchResult(), verification: null, measured: null, files: ['c/model.c', 'model.onnx', 'report.html', 'report.json'],
    ...o,
  };
}

/** The same report input with its layers (nodes, and the instruction maps keyed by them) renamed. */
export function withLayerNames(input: ReportInput, renames: ReadonlyMap<string, string>): ReportInput {
  const rename = (g: Graph) => {
    for (const n of g.nodes) n.name = renames.get(n.name) ?? n.name;
    return g;
  };
  const keys = (m: ReadonlyMap<string, number>) => new Map([...m].map(([k, v]) => [renames.get(k) ?? k, v]));
  return { ...input, dense: rename(input.dense), final: rename(input.final), denseInstructions: keys(input.denseInstructions), finalInstructions: keys(input.finalInstructions) };
}
