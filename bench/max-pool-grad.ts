// CPU per call of the wasm backend's MaxPoolGrad against the JavaScript one that replaces it (src/train/wasm-max-pool-grad.ts),
// on the digits CNN's pool in a training batch (32x8x8x16, 2x2 stride 2, values after a ReLU), through the engine as the
// gradient tape calls it; and whether both give the same bits. CPU, not wall: the figures hold on a loaded machine.
//
//   make build && node dist/bench/max-pool-grad.js [--calls 3000]

import * as tf from '../src/train/tf.js';
import { initTraining } from '../src/train/backend.js';
import { maxPoolGrad, wasmOwnMaxPoolGrad } from '../src/train/wasm-max-pool-grad.js';

const at = process.argv.indexOf('--calls');
const calls = at < 0 ? 3000 : Number(process.argv[at + 1]);

await initTraining({ backend: 'wasm' });
const shipped = wasmOwnMaxPoolGrad();
if (!shipped) throw new Error('the wasm backend kept its own MaxPoolGrad: nothing to compare');
const x = tf.relu(tf.randomNormal([32, 8, 8, 16], 0, 1, 'float32', 1));
const y = tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid');
const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 2);
const attrs = { filterSize: 2, strides: 2, pad: 'valid' };

/** Run MaxPoolGrad `calls` times with `kernel` registered: CPU ms per call, and the last result's bits. */
function measure(kernel: tf.KernelConfig): { ms: number; bits: Uint32Array } {
  tf.unregisterKernel('MaxPoolGrad', 'wasm');
  tf.registerKernel(kernel);
  const run = () => tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, attrs) as tf.Tensor;
  for (let i = 0; i < 50; i++) run().dispose();
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) run().dispose();
  const used = process.cpuUsage(start);
  const last = run();
  const bits = new Uint32Array(new Float32Array(last.dataSync()).buffer);
  last.dispose();
  return { ms: (used.user + used.system) / 1000 / calls, bits };
}

const ours = measure({ ...shipped, kernelFunc: maxPoolGrad as unknown as tf.KernelFunc });
const theirs = measure(shipped);
const same = ours.bits.length === theirs.bits.length && ours.bits.every((v, i) => v === theirs.bits[i]);
console.log(`MaxPoolGrad 32x8x8x16, 2x2 stride 2, ${calls} calls: wasm ${theirs.ms.toFixed(3)} ms CPU per call, JavaScript ${ours.ms.toFixed(3)} ms (${(theirs.ms / ours.ms).toFixed(2)}x); same bits: ${same ? 'yes' : 'NO'}`);
if (!same) process.exitCode = 1;
