// Defaults of quantization-aware fine-tuning, apart from src/quant/qat.ts so that the CLI names them without loading TF.js.

/** The learning rate of QAT when none is given: a tenth of training's default (fine-tuning a trained model with Adam). */
export const DEFAULT_QAT_LEARNING_RATE = 1e-4;
