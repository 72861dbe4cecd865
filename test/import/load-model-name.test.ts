// Display names of model files for reports: the file name without extension, or the folder of a TF.js model.json.
import { describe, expect, it } from 'vitest';
import { modelDisplayName } from '../../src/import/load-model.js';

describe('modelDisplayName', () => {
  it('drops the extension of a model file and names a TF.js model by its folder', () => {
    expect(modelDisplayName('examples/models/digits-cnn.onnx')).toBe('digits-cnn');
    expect(modelDisplayName('/tmp/pruned-cnn/model.json')).toBe('pruned-cnn');
    expect(modelDisplayName('/tmp/cnn.json')).toBe('cnn');
  });
});
