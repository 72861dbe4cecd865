// PTQ on a trained model (the bundled digits CNN): int8 test accuracy within a point of float for every calibration method.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSplit } from '../../src/cli/data-options.js';
import { evaluateModel } from '../../src/data/evaluate.js';
import { fitToModel } from '../../src/data/fit-model.js';
import { loadModel } from '../../src/import/load-model.js';
import { CALIBRATION_METHODS } from '../../src/quant/calibrate.js';
import { calibrationInputs } from '../../src/quant/calibration-data.js';
import { quantizeModel } from '../../src/quant/quantize.js';

describe('post-training quantization of the digits CNN', () => {
  it('stays within 1.0 point of the float test accuracy with min/max, percentile and MSE ranges', async () => {
    const float = await loadModel(path.resolve('examples/models/digits-cnn.onnx'));
    const split = loadSplit(path.resolve('examples/digits/digits.csv.gz'), { seed: 0, validation: 0.15, test: 0.2 });
    const calibration = calibrationInputs(float, split.train, 200);
    expect(calibration).toHaveLength(200);
    const test = fitToModel(split.test, float);
    const floatAccuracy = evaluateModel(float, test).accuracy!;
    expect(floatAccuracy).toBeGreaterThan(0.95);
    for (const method of CALIBRATION_METHODS) {
      const { graph } = quantizeModel(float, calibration, { method });
      const int8Accuracy = evaluateModel(graph, test).accuracy!;
      expect(Math.abs(int8Accuracy - floatAccuracy), method).toBeLessThanOrEqual(0.01);
    }
  });
});
