// The HLS C++ emitter without running it: pragmas derived from each layer's reuse factor, the top's interface, the
// same bytes twice, a top name that C++ or the generated files already use, and the refusals it shares with the RTL
// emitter (float model, illegal reuse factor).
import { describe, expect, it } from 'vitest';
import { hlsProjectFiles, renderHlsSources } from '../../src/emit/hls/emit-hls.js';
import { lowerToHls } from '../../src/emit/hls/hls-design.js';
import { UserError } from '../../src/errors.js';
import { jetMlp, quantizedJetMlp } from '../../src/models/jet-mlp.js';
import { findTarget } from '../../src/targets/load-targets.js';
import type { FpgaTarget } from '../../src/targets/schema.js';
import { HOSTILE_MODEL_NAMES, plainNames } from '../support/hostile-names.js';
import { int8ChainModel } from '../verilog/rtl-models.js';
import { digitsCnn } from '../verilog/digits-cnn.js';

/** The body of one generated function (from its signature to the closing brace at column 0). */
function functionBody(cpp: string, name: string): string {
  const start = cpp.indexOf(`static void ${name}(`);
  expect(start, name).toBeGreaterThanOrEqual(0);
  return cpp.slice(start, cpp.indexOf('\n}\n', start));
}

describe('HLS C++ emitter', () => {
  it('derives the pragmas from the reuse factor: RF 1 pipelined and unrolled, RF > 1 unrolled by products / RF', () => {
    const g = quantizedJetMlp();
    const d = lowerToHls(g, { reuseFactors: { fc2: 64, fc3: 1024 } });
    const { cpp } = renderHlsSources(d);
    const fc1 = functionBody(cpp, 'jet_mlp_l0');
    expect(fc1).toMatch(/^#pragma HLS PIPELINE II=1$/m);
    expect(fc1).toMatch(/#pragma HLS ARRAY_PARTITION variable=w complete dim=0/);
    expect(fc1).not.toMatch(/factor=/);
    const fc2 = functionBody(cpp, 'jet_mlp_l1'); // 64 x 32 products over 64 cycles
    expect(fc2).toMatch(/#pragma HLS PIPELINE II=1\n#pragma HLS UNROLL factor=32\n/);
    expect(fc2).toMatch(/#pragma HLS ARRAY_PARTITION variable=w cyclic factor=32 dim=2/);
    const fc3 = functionBody(cpp, 'jet_mlp_l2'); // 32 x 32 products over 1024 cycles: one multiplier
    expect(fc3).toMatch(/#pragma HLS UNROLL factor=1\n/);
    // The top: AXI4-Stream data, no block control, DATAFLOW; fc2's input partitioned for its 32 products per cycle... and completely for fc1's output.
    expect(cpp).toMatch(/#pragma HLS INTERFACE mode=axis port=in_data\n#pragma HLS INTERFACE mode=axis port=out_data\n#pragma HLS INTERFACE mode=ap_ctrl_none port=return\n#pragma HLS DATAFLOW/);
    expect(cpp).toMatch(/int8_t buffer_0\[64\];\n#pragma HLS ARRAY_PARTITION variable=buffer_0 complete dim=1/);
    expect(cpp).toMatch(/int8_t buffer_1\[32\];\n {2}int8_t buffer_2/); // fc2 writes one output at a time, fc3 reads one input a cycle
    expect(cpp).not.toMatch(/malloc|new |\bdelete\b|#include <(ap_|hls_)/);
    expect(d.layers.map((l) => l.reuseFactor)).toEqual([1, 64, 1024, 1]);
  });

  it('folds a conv at RF = C_OUT·K·K·C_IN / P: P products per cycle', async () => {
    const cnn = await digitsCnn(1);
    const { cpp } = renderHlsSources(lowerToHls(cnn.graph, { reuseFactors: { conv2: 144 } }));
    const conv2 = functionBody(cpp, 'cnn_l1'); // 16 x 72 products per pixel over 144 cycles
    expect(conv2).toMatch(/#pragma HLS PIPELINE II=1\n#pragma HLS UNROLL factor=8\n/);
    expect(conv2).toMatch(/static const int8_t w\[16\]\[72\]/);
    expect(functionBody(cpp, 'cnn_l0')).toMatch(/for \(int p = 0; p < 64; p\+\+\) \{\n#pragma HLS PIPELINE II=1/);
    expect(functionBody(cpp, 'cnn_l2')).toMatch(/int8_t best = -128;/);
  });

  it('gives the same bytes twice, hostile names included', () => {
    const target = findTarget('xc7a35t') as FpgaTarget;
    const render = () => {
      const g = int8ChainModel(HOSTILE_MODEL_NAMES);
      return [...hlsProjectFiles(lowerToHls(g), g.name, target, ['1 2 3 4 | 0'])];
    };
    expect(render()).toEqual(render());
  });

  it('never names the top after main or a type the files use', () => {
    for (const graph of ['main', 'int8_t', 'class', 'printf', 'FILE']) {
      const top = lowerToHls(int8ChainModel({ ...plainNames(2), graph })).top;
      expect(top, graph).not.toBe(graph);
      expect(top, graph).toMatch(new RegExp(`^${graph}_`));
    }
  });

  it('refuses what the RTL emitter refuses: a float model, a reuse factor that cannot fold the layer', () => {
    expect(() => lowerToHls(jetMlp())).toThrow(UserError);
    expect(() => lowerToHls(jetMlp())).toThrow(/quantize the model first|not read by one QuantizeLinear/);
    expect(() => lowerToHls(quantizedJetMlp(), { reuseFactors: { fc2: 3 } })).toThrow(/reuse factor 3 cannot fold a 64→32 layer/);
  });
});
