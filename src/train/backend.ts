// The TF.js backend of the training bridge: tfjs-node when installed, else wasm (SIMD, no threads), else cpu; and the seed.

import * as tf from './tf.js';
import { UserError } from '../errors.js';
import { registerWasmGradientKernels } from './wasm-kernels.js';

/** The bridge's names for the TF.js backends: tfjs-node ('tensorflow'), wasm, cpu. */
export type BackendChoice = 'node' | 'wasm' | 'cpu';

export interface TrainingOptions {
  /** Force a backend; without it the fastest available one is taken (node, then wasm, then cpu). */
  backend?: BackendChoice;
  /** Default seed of shuffling in `train` (each call can override it). */
  seed?: number;
}

export interface TrainingRuntime {
  backend: BackendChoice;
  /** The backend's name inside TF.js ('tensorflow', 'wasm' or 'cpu'). */
  tfBackend: string;
  seed: number;
  /** Whether the wasm backend runs its SIMD build (false on other backends). */
  simd: boolean;
  /** Backends tried before this one and why they were not taken (auto mode only). */
  skipped: { backend: BackendChoice; reason: string }[];
}

const TF_NAMES: Record<BackendChoice, string> = { node: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };
/** Module names kept in variables so that TypeScript and bundlers do not resolve optional packages statically. */
const TFJS_NODE = '@tensorflow/tfjs-node';
const TFJS_WASM = '@tensorflow/tfjs-backend-wasm';

let current: TrainingRuntime | undefined;
let pending: Promise<TrainingRuntime> | undefined;

/** Try to make one backend TF.js's active backend; returns the reason on failure. */
async function activate(choice: BackendChoice): Promise<string | undefined> {
  try {
    if (choice === 'node') {
      await import(TFJS_NODE);
      if (!tf.findBackendFactory(TF_NAMES.node)) return `${TFJS_NODE} was imported but registered no 'tensorflow' backend (another copy of @tensorflow/tfjs-core?)`;
    } else if (choice === 'wasm') {
      await import(TFJS_WASM);
      // Threads need SharedArrayBuffer workers that Node's wasm build does not start; SIMD is detected.
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    }
    // Production mode: no debug checks, and no console advice about tfjs-node from the cpu backend.
    tf.enableProdMode();
    const ok = await tf.setBackend(TF_NAMES[choice]);
    if (!ok) return `TF.js could not initialize its '${TF_NAMES[choice]}' backend`;
    await tf.ready();
    if (choice === 'wasm') registerWasmGradientKernels();
    return undefined;
  } catch (e) {
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return /Cannot find (module|package)|ERR_MODULE_NOT_FOUND/.test(message) ? `${choice === 'node' ? TFJS_NODE : TFJS_WASM} is not installed` : message;
  }
}

/**
 * Choose and start the backend (call once, before any tensor exists). Repeated calls with the same
 * choice return the running backend; a different forced choice switches (trainables built before
 * must then be rebuilt).
 */
export async function initTraining(options: TrainingOptions = {}): Promise<TrainingRuntime> {
  if (pending) await pending.catch(() => undefined);
  if (current && (!options.backend || options.backend === current.backend)) {
    if (options.seed !== undefined) current.seed = options.seed;
    return current;
  }
  pending = start(options);
  try {
    current = await pending;
    return current;
  } finally {
    pending = undefined;
  }
}

async function start(options: TrainingOptions): Promise<TrainingRuntime> {
  const seed = options.seed ?? 0;
  if (options.backend) {
    if (!(options.backend in TF_NAMES)) throw new UserError(`unknown training backend '${options.backend}' (choose node, wasm or cpu)`);
    const reason = await activate(options.backend);
    if (reason) {
      const hint =
        options.backend === 'node'
          ? 'install it with `npm install @tensorflow/tfjs-node` (its install script downloads libtensorflow, so it needs internet), or choose wasm or cpu'
          : 'choose another backend (wasm or cpu)';
      throw new UserError(`training backend '${options.backend}' is not available: ${reason}`, hint);
    }
    return describe(options.backend, seed, []);
  }
  const skipped: TrainingRuntime['skipped'] = [];
  for (const choice of ['node', 'wasm', 'cpu'] as const) {
    const reason = await activate(choice);
    if (!reason) return describe(choice, seed, skipped);
    skipped.push({ backend: choice, reason });
  }
  throw new UserError(`no TF.js backend could start: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`);
}

function describe(backend: BackendChoice, seed: number, skipped: TrainingRuntime['skipped']): TrainingRuntime {
  const simd = backend === 'wasm' && tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
  return { backend, tfBackend: TF_NAMES[backend], seed, simd, skipped };
}

/** The running backend; starts the default one on first use. */
export async function ensureTraining(): Promise<TrainingRuntime> {
  return current ?? initTraining();
}

/** The running backend, or undefined before `initTraining`. */
export function trainingRuntime(): TrainingRuntime | undefined {
  return current;
}
