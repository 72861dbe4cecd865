// Benchmark of the C kernels on the MNIST-like CNN (bench/kernels/mnist-cnn.c) under QEMU mps2-an386:
// instructions per MAC for the whole inference and per layer, code size, stack, and a bit-for-bit
// comparison of the outputs with a host build.
//
//   make build && node dist/bench/kernels/mnist-cnn.js [--json] [--check] [--keep DIR]
//
// --check exits with status 1 when the model takes more than 2.0 instructions per MAC, its code is
// larger than 4 KiB, or the host and target outputs differ.

import { buildHost, buildTarget, functionSizes, isMain, missingTools, runHost, runQemu, table, workDir } from './bench-lib.js';

export interface LayerResult {
  name: string;
  call: string;
  macs: number;
  instructions: number;
  codeBytes: number;
}

export interface MnistBenchResult {
  layers: LayerResult[];
  macs: number;
  instructions: number;
  instructionsPerMac: number;
  /** Code of one inference: model_run and the layer functions it calls (one per layer step, as in the generated model.c). */
  modelCodeBytes: number;
  stackBytes: number;
  /** The 10 outputs' bits from QEMU and from the host build. */
  targetOutputs: number[];
  hostOutputs: number[];
}

const LAYERS: Omit<LayerResult, 'instructions' | 'codeBytes'>[] = [
  { name: 'conv1', call: 'ep_conv2d_f32 5x5 1->8 28x28 pad 2 +ReLU', macs: 8 * 28 * 28 * 25 },
  { name: 'pool1', call: 'ep_maxpool2d_f32 2x2 s2 8x28x28', macs: 0 },
  { name: 'conv2', call: 'ep_conv2d_f32 5x5 8->16 14x14 pad 2 +ReLU', macs: 16 * 14 * 14 * 200 },
  { name: 'pool2', call: 'ep_maxpool2d_f32 3x3 s3 16x14x14', macs: 0 },
  { name: 'fc', call: 'ep_dense_f32 256->10', macs: 2560 },
];

export const MNIST_MACS = LAYERS.reduce((s, l) => s + l.macs, 0); // 786,560

export async function runMnistBench(opts: { keep?: string } = {}): Promise<MnistBenchResult> {
  const { dir, done } = await workDir(opts.keep);
  try {
    const [elf, host] = await Promise.all([buildTarget('mnist-cnn', dir), buildHost('mnist-cnn', dir)]);
    const [report, hostReport, sizes] = await Promise.all([runQemu(elf), runHost(host), functionSizes(elf)]);
    const get = (label: string) => {
      const v = report.get(label);
      if (v === undefined) throw new Error(`the bench firmware printed no '${label}'`);
      return v;
    };
    const layers = LAYERS.map((l) => ({ ...l, instructions: get(`layer:${l.name}`), codeBytes: sizes.get(`layer_${l.name}`) ?? 0 }));
    const outputs = (r: Map<string, number>) => Array.from({ length: 10 }, (_, i) => r.get(`out:${i}`) ?? NaN);
    const instructions = get('model');
    return {
      layers,
      macs: MNIST_MACS,
      instructions,
      instructionsPerMac: instructions / MNIST_MACS,
      modelCodeBytes: (sizes.get('model_run') ?? 0) + layers.reduce((sum, l) => sum + l.codeBytes, 0),
      stackBytes: get('stack'),
      targetOutputs: outputs(report),
      hostOutputs: outputs(hostReport),
    };
  } finally {
    await done();
  }
}

export function formatMnistBench(r: MnistBenchResult): string {
  const perMac = (instr: number, macs: number) => (macs ? (instr / macs).toFixed(3) : '-');
  const rows = r.layers.map((l) => [l.name, l.call, l.macs, l.instructions, perMac(l.instructions, l.macs), l.codeBytes]);
  rows.push(['model', 'one inference (model_run: the layers in turn)', r.macs, r.instructions, perMac(r.instructions, r.macs), r.modelCodeBytes]);
  const identical = r.targetOutputs.every((v, i) => v === r.hostOutputs[i]);
  return [
    'MNIST-like CNN, kernels of templates/c/lib on QEMU mps2-an386 (Cortex-M4F), arm-none-eabi-gcc -O2 -ffp-contract=off',
    'instructions counted with SysTick under -icount shift=0 (resolution 40); code bytes from arm-none-eabi-nm',
    '',
    table(['layer', 'kernel call', 'MACs', 'instructions', 'instr/MAC', 'code bytes'], rows, 2),
    '',
    `stack used by one inference: ${r.stackBytes} bytes`,
    `outputs: ${identical ? 'bit-identical on the host (gcc) and the target' : 'DIFFER between the host and the target'}`,
  ].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const keepAt = args.indexOf('--keep');
  const missing = await missingTools();
  if (missing.length) {
    console.error(`mnist-cnn bench: missing ${missing.join(', ')}`);
    process.exit(2);
  }
  const r = await runMnistBench({ keep: keepAt >= 0 ? args[keepAt + 1] : undefined });
  console.log(args.includes('--json') ? JSON.stringify(r, null, 2) : formatMnistBench(r));
  if (args.includes('--check')) {
    const problems: string[] = [];
    if (r.instructionsPerMac > 2.0) problems.push(`${r.instructionsPerMac.toFixed(3)} instructions per MAC (goal <= 2.0)`);
    if (r.modelCodeBytes > 4096) problems.push(`model code ${r.modelCodeBytes} bytes (goal <= 4096)`);
    if (r.targetOutputs.some((v, i) => v !== r.hostOutputs[i])) problems.push('host and target outputs differ');
    if (problems.length) {
      console.error(`check failed: ${problems.join('; ')}`);
      process.exit(1);
    }
  }
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
