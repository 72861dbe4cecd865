// `edgeprune flash <model> --target <board> --probe <probe>`: build the model's test firmware and program it into a
// real board through a debug probe (openocd or st-flash); with --port, check that it then answers.

import type { Command } from 'commander';
import { flashFirmware, openSerialSession, shellCommand } from '../../../hw-sim/index.js';
import { buildTestFirmware } from '../../flash/test-firmware.js';
import { loadModel, modelDisplayName } from '../../import/load-model.js';
import type { InputShapes } from '../../passes/fix-input-shapes.js';
import { DEFAULT_TARGET_NAME, findMcuTarget } from '../../targets/load-targets.js';
import { UserError } from '../../errors.js';
import { terminalJson, terminalName, terminalText } from '../../util/escape.js';
import { makeTempDir, removeTempDir } from '../../util/temp-dir.js';
import { addProbeOptions, flashChoice, type ProbeOptions } from '../flash-options.js';
import { formatBytes } from '../format.js';
import { collectInputShape } from '../options.js';
import { addPrecisionOptions, modelForPrecision, type PrecisionOptions } from '../precision-options.js';

interface FlashCliOptions extends PrecisionOptions, ProbeOptions {
  target: string;
  prefix?: string;
  optimize: 'O2' | 'O3' | 'Os';
  port?: string;
  json?: boolean;
  inputShape?: InputShapes;
}

/** What flash did (its --json). */
export interface FlashSummary {
  model: string;
  target: string;
  probe: string;
  tool: string;
  command: string[];
  firmwareFlashBytes: number;
  flashMs: number;
  /** --port, or null. */
  port: string | null;
  /** The models the firmware listed on --port, or null without --port. */
  answeredModels: string[] | null;
}

/** The three lines flash prints: what was flashed, the command, and the serial port's answer (or where the port is). */
export function renderFlash(s: FlashSummary, serial: string): string {
  return [
    `flashed the test firmware of ${terminalName(s.model)} (${formatBytes(s.firmwareFlashBytes)}) into ${s.target} with ${s.tool} through ${s.probe} in ${(s.flashMs / 1000).toFixed(1)} s`,
    `command: ${terminalText(shellCommand(s.command))}`,
    s.answeredModels && s.port !== null
      ? `the firmware answers on ${terminalText(s.port)} (models: ${s.answeredModels.map(terminalName).join(', ')})`
      : `serial port: ${terminalText(serial)}; then: edgeprune verify <model> --target ${s.target} --port <serial port>`,
  ].join('\n');
}

export function registerFlash(program: Command): void {
  const cmd = program
    .command('flash')
    .description('build the test firmware of a model for a real board (as verify --port expects it) and program it through a debug probe with openocd or st-flash')
    .argument('<model>', 'model file (.onnx)')
    .option('--target <name>', 'target board (edgeprune targets lists them; targets/<name>.json says whether it can be flashed)', DEFAULT_TARGET_NAME)
    .option('--prefix <name>', 'prefix of the generated C symbols (as verify)', 'model')
    .option('--optimize <level>', 'compiler optimization: O2, O3 or Os (as verify)', 'O2')
    .option('--port <path>', 'after flashing, check that the firmware answers on this serial port (e.g. /dev/ttyUSB0)')
    .option('--json', 'print one JSON object')
    .option('--input-shape <name=dims>', 'fix a dynamic input shape, e.g. input=1x1x28x28 (repeatable)', collectInputShape)
    .addHelpText('after', '\nSee README.md, "Real boards": probes, wiring and what has not been run on a board (nothing of it has yet).');
  addPrecisionOptions(addProbeOptions(cmd)).action(async (file: string, options: FlashCliOptions) => {
    const target = findMcuTarget(options.target, 'flash');
    const { board, ...choice } = flashChoice(options, target, 'flash');
    if (!['O2', 'O3', 'Os'].includes(options.optimize)) throw new UserError(`--optimize must be O2, O3 or Os, got '${options.optimize}'`);
    const model = await loadModel(file, { inputShapes: options.inputShape });
    const { graph } = modelForPrecision(model, target, options, 'flash');
    const log = options.json ? () => {} : (line: string) => process.stderr.write(`${terminalText(line)}\n`);
    const workDir = makeTempDir('flash');
    try {
      log(`building the test firmware for ${target.name} (-${options.optimize})`);
      const firmware = await buildTestFirmware(graph, modelDisplayName(file), { target, workDir, prefix: options.prefix, optimize: options.optimize });
      log(`flashing ${target.name} with ${choice.tool} through ${choice.probe}`);
      const flashed = await flashFirmware({ elf: firmware.elf, target, ...choice });
      let answered: string[] | null = null;
      if (options.port) {
        const session = await openSerialSession(options.port);
        answered = session.models.map((m) => m.name);
        await session.close();
      }
      const summary: FlashSummary = {
        model: modelDisplayName(file), target: target.name, probe: choice.probe, tool: choice.tool, command: flashed.command,
        firmwareFlashBytes: firmware.flashBytes, flashMs: flashed.durationMs, port: options.port ?? null, answeredModels: answered,
      };
      console.log(options.json ? terminalJson(summary) : renderFlash(summary, board.serial));
    } finally {
      removeTempDir(workDir);
    }
  });
}
