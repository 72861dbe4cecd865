// The files `compile --target <fpga>` writes: the model core's Verilog and the library modules it instantiates, the
// board's top level (the core behind the UART line protocol), the Verilator testbench, the board's constraints, a
// Makefile running the open flow (Yosys, nextpnr-ice40, icepack) and a README. Model text reaches each file through
// the escaper of its context (Verilog identifiers and comments, Makefile comments, Markdown).

import fs from 'node:fs';
import path from 'node:path';
import type { Graph } from '../../ir/graph.js';
import { boardConstraints } from '../../targets/constraints.js';
import type { FpgaTarget } from '../../targets/schema.js';
import { makeComment, markdownText } from '../../util/escape.js';
import { repoPath } from '../../util/package-root.js';
import { VERSION } from '../../version.js';
import { renderTemplate } from '../render-template.js';
import { designInitiationInterval, designLatency, hardwareLayers, hostOpsText, renderRtl, renderTestbenchTop, rtlLibraryFiles } from './emit-rtl.js';
import { lowerToRtl, type RtlDesign, type RtlOptions } from './lower-rtl.js';
import { beatBytes, beatsPerVector, describeFormat } from './rtl-layer.js';
import { verilogCommentText } from './verilog-names.js';

/** The board top's library: the UART line protocol and its receiver and transmitter. */
const BOARD_LIBRARY = ['ep_uart_top.v', 'ep_uart_rx.v', 'ep_uart_tx.v'];

/** Where multipliers go: DSP blocks, LUT logic, or (auto) DSP blocks when the design's multipliers fit the target's. */
export type MultiplierMapping = 'dsp' | 'lut' | 'auto';

export interface FpgaProjectOptions extends RtlOptions {
  multipliers?: MultiplierMapping;
}

export interface FpgaProject {
  design: RtlDesign;
  /** The board top's module name (<top>_board). */
  boardTop: string;
  /** The library files (names under rtl/lib/) the core alone instantiates. */
  coreLibrary: string[];
  /** Relative path → content, in a fixed order. */
  files: Map<string, string>;
  /** Cycles from input beat to output beat, and between inputs (the slowest stage), with no stall. */
  latencyCycles: number;
  initiationInterval: number;
  /** The multipliers the design builds (weights' and requantizers'), and where synthesis puts them. */
  multiplierCount: number;
  multipliers: 'dsp' | 'lut';
  /** The int8 products are written as shifts and adds (LUT logic) even with DSP mapping, which the requantizers get. */
  productsInLogic: boolean;
  /** Why that mapping, in words. */
  multipliersReason: string;
}

/** Where a project's multipliers go, as the JSON reports of compile and verify carry it. */
export interface MultipliersSummary {
  count: number;
  mapping: 'dsp' | 'lut';
  productsInLogic: boolean;
  reason: string;
}

export function multipliersSummary(project: FpgaProject): MultipliersSummary {
  return { count: project.multiplierCount, mapping: project.multipliers, productsInLogic: project.productsInLogic, reason: project.multipliersReason };
}

/** Where the multipliers go, in words ("DSP blocks", "LUT logic", or the split). */
export function mappingText(m: Pick<MultipliersSummary, 'mapping' | 'productsInLogic'>): string {
  if (m.mapping === 'lut') return 'LUT logic';
  return m.productsInLogic ? 'requantizers on DSP blocks, products in LUT logic' : 'DSP blocks';
}

/** The synthesis command of the target with the multiplier mapping (synth_xilinx maps to DSP48E1 unless -nodsp; synth_ice40 to SB_MAC16 only with -dsp). */
export function synthCommand(target: FpgaTarget, multipliers: 'dsp' | 'lut'): string {
  const flag = target.family === 'xc7' ? (multipliers === 'lut' ? ['-nodsp'] : []) : multipliers === 'dsp' ? ['-dsp'] : [];
  return [target.yosys.command, ...target.yosys.args, ...flag].join(' ');
}

/**
 * DSP blocks the design's multipliers take: one per int8 product, and per requantizer the tiles of its multiply
 * (accumulator bits × multiplier bits) on the family's block: SB_MAC16 16×16, DSP48E1 25×18 signed (the unsigned
 * multiplier needs one bit more on both).
 */
export function dspBlocks(design: RtlDesign, family: FpgaTarget['family']): number {
  return hardwareLayers(design).reduce((n, l) => n + l.hardware.multipliers.weights + requantizerDspBlocks(l, family), 0);
}

/** The DSP tiles of a layer's requantizers' multiplies alone. */
function requantizerDspBlocks(l: ReturnType<typeof hardwareLayers>[number], family: FpgaTarget['family']): number {
  const { accBits, multBits } = l.hardware.requantWidths ?? { accBits: 32, multBits: 31 };
  const tiles = family === 'ice40' ? Math.ceil(accBits / 16) * Math.ceil((multBits + 1) / 16) : Math.ceil(accBits / 25) * Math.ceil((multBits + 1) / 18);
  return l.hardware.multipliers.requantizers * tiles;
}

/** The modules whose int8 products can be written as shifts and adds (the LUT_PRODUCTS parameter). */
const PRODUCTS_IN_LOGIC_MODULES = new Set(['ep_dense_folded']);

interface MultiplierChoice {
  multipliers: 'dsp' | 'lut';
  productsInLogic: boolean;
  reason: string;
}

function chooseMultipliers(requested: MultiplierMapping, design: RtlDesign, target: FpgaTarget, productsInLogic: boolean): MultiplierChoice {
  const dsps = target.resources.dsps;
  const kind = target.resources.dspKind ?? 'DSP';
  if (requested === 'dsp' && productsInLogic) return { multipliers: 'dsp', productsInLogic: true, reason: 'the requantizers\' multiplies on DSP blocks, the int8 products as shifts and adds in LUT logic (chosen by the build)' };
  if (requested !== 'auto') return { multipliers: requested, productsInLogic: false, reason: `--multipliers ${requested}` };
  if (dsps === 0) return { multipliers: 'lut', productsInLogic: false, reason: `auto: ${target.name} has no DSP blocks` };
  const blocks = dspBlocks(design, target.family);
  if (blocks <= dsps) return { multipliers: 'dsp', productsInLogic: false, reason: `auto: the design's multipliers take about ${blocks} ${kind}, of ${dsps}` };
  // A folded design has few products and wide requantizers: the requantizers' multiplies on the DSP blocks and the
  // int8 products in logic, when every layer with products can write them so.
  const layers = hardwareLayers(design);
  const requantBlocks = layers.reduce((n, l) => n + requantizerDspBlocks(l, target.family), 0);
  const productsMovable = layers.every((l) => l.hardware.multipliers.weights === 0 || PRODUCTS_IN_LOGIC_MODULES.has(l.hardware.module));
  if (productsMovable && requantBlocks > 0 && requantBlocks <= dsps) {
    return {
      multipliers: 'dsp',
      productsInLogic: true,
      reason: `auto: the requantizers' multiplies on about ${requantBlocks} ${kind} of ${dsps}, the int8 products in LUT logic (all of them would take about ${blocks})`,
    };
  }
  return { multipliers: 'lut', productsInLogic: false, reason: `auto: the design's multipliers would take about ${blocks} ${kind}, more than the ${dsps} there are` };
}

export { designInitiationInterval } from './emit-rtl.js';

/** The core's input and output must each be one beat for the UART top: it moves whole vectors. */
function checkBoardStreams(design: RtlDesign): void {
  for (const [what, f] of [['input', design.input.format], ['output', design.output.format]] as const) {
    if (beatsPerVector(f) !== 1) throw new Error(`the UART board top moves one beat per vector; the core's ${what} is ${describeFormat(f)}`);
  }
}

function readLibrary(file: string): string {
  return fs.readFileSync(repoPath('templates/verilog/lib', file), 'utf8');
}

/** Lower, render and package a quantized graph for an FPGA target. */
export function fpgaProject(graph: Graph, target: FpgaTarget, options: FpgaProjectOptions = {}): FpgaProject {
  const lowered = lowerToRtl(graph, options);
  const mapping = chooseMultipliers(options.multipliers ?? 'auto', lowered, target, options.productsInLogic ?? false);
  const design = mapping.productsInLogic ? lowerToRtl(graph, { ...options, productsInLogic: true }) : lowered;
  const multiplierCount = hardwareLayers(design).reduce((n, l) => n + l.hardware.multipliers.weights + l.hardware.multipliers.requantizers, 0);
  checkBoardStreams(design);
  const boardTop = `${design.top}_board`;
  const coreLibrary = rtlLibraryFiles(design).map((f) => path.basename(f));
  const library = [...new Set([...coreLibrary, ...BOARD_LIBRARY])].sort();
  const constraints = boardConstraints(target);
  const latencyCycles = designLatency(design);
  const initiationInterval = designInitiationInterval(design);
  const generator = `edgeprune ${VERSION}`;
  const clockMHz = target.clockHz / 1e6;
  const common = { top: design.top, boardTop, generator };

  const files = new Map<string, string>();
  files.set(`rtl/${design.top}.v`, renderRtl(design));
  files.set(
    `rtl/${boardTop}.v`,
    renderTemplate('verilog/board_top.v.hbs', {
      ...common,
      targetComment: verilogCommentText(`${target.name} (${target.board})`),
      clockMHz,
      baudRate: target.baudRate,
      clksPerBit: Math.round(target.clockHz / target.baudRate),
      inBytes: beatBytes(design.input.format),
      outBytes: beatBytes(design.output.format),
      nameLength: design.top.length,
    }),
  );
  for (const f of library) files.set(`rtl/lib/${f}`, readLibrary(f));
  files.set('sim/ep_model_tb_top.v', renderTestbenchTop(design));
  files.set('sim/model_tb.cpp', fs.readFileSync(repoPath('templates/verilog/tb/model_tb.cpp'), 'utf8'));
  files.set('sim/ep_stream_tb.h', readLibrary('tb/ep_stream_tb.h'));
  files.set(constraints.file, constraints.text);
  files.set(
    'Makefile',
    renderTemplate('verilog/Makefile.hbs', {
      ...common,
      modelName: makeComment(graph.name),
      targetName: target.name,
      targetDescription: makeComment(target.description),
      libraryFiles: library.map((f) => `rtl/lib/${f}`).join(' '),
      coreLibraryFiles: coreLibrary.map((f) => `rtl/lib/${f}`).join(' '),
      placeAndRoute: target.pnr !== null,
      synth: synthCommand(target, mapping.multipliers),
      pnrArgs: target.pnr ? target.pnr.args.join(' ') : '',
      clockMHz,
    }),
  );
  files.set(
    'README.md',
    renderTemplate('verilog/README.md.hbs', {
      ...common,
      modelName: markdownText(graph.name),
      targetName: target.name,
      targetDescription: markdownText(target.description),
      boardName: markdownText(target.board),
      baudRate: target.baudRate,
      constraintsFile: constraints.file,
      placeAndRoute: target.pnr !== null,
      inFormat: describeFormat(design.input.format),
      outFormat: describeFormat(design.output.format),
      inMsb: 8 * beatBytes(design.input.format) - 1,
      outMsb: 8 * beatBytes(design.output.format) - 1,
      hostBefore: hostOpsText(design.host.before, markdownText, 'nothing'),
      hostAfter: hostOpsText(design.host.after, markdownText, 'nothing'),
      latencyCycles,
      initiationInterval,
      layers: hardwareLayers(design).map((l, index) => ({
        index,
        node: markdownText(l.node),
        op: markdownText(l.op),
        module: l.hardware.module,
        reuseFactor: l.hardware.reuseFactor ?? 1,
        latencyCycles: l.hardware.latencyCycles,
        weightMultipliers: l.hardware.multipliers.weights,
        requantizers: l.hardware.multipliers.requantizers,
      })),
    }),
  );
  return { design, boardTop, coreLibrary, files, latencyCycles, initiationInterval, multiplierCount, multipliers: mapping.multipliers, productsInLogic: mapping.productsInLogic, multipliersReason: mapping.reason };
}
