// The TF.js API the training bridge uses: core (tensors, ops, optimizers) and layers (models), with the cpu backend
// registered; the wasm backend is registered in backend.ts. The ~190 MB umbrella package (@tensorflow/tfjs: also the
// converter, data and WebGL packages, none of them used here) is not a dependency.

import '@tensorflow/tfjs-backend-cpu';

export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';
