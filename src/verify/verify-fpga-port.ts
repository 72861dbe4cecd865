// `verify --target <fpga> --port <device>`: the model on a real FPGA board running the board top that `compile` writes
// (the core behind templates/verilog/lib/ep_uart_top.v): the board's DESC checked against the model, every vector's
// core input (the interpreter's QuantizeLinear output, in stream order) sent with R, the core's output compared bit
// for bit with the interpreter's, the cycles the wrapper counts (input beat to output beat) collected. Nothing is
// simulated and no layer is traced over the port: the report says so.

import { openSerialSession, HwSimTimeoutError, type HarnessSession, type RunResult } from '../../hw-sim/index.js';
import { fromBytes, streamValues } from '../../hw-sim/verilator/run-model.js';
import { UserError } from '../errors.js';
import { hardwareLayers } from '../emit/verilog/emit-rtl.js';
import { fpgaProject, multipliersSummary, type FpgaProject } from '../emit/verilog/fpga-project.js';
import { beatBytes } from '../emit/verilog/rtl-layer.js';
import type { Graph } from '../ir/graph.js';
import { runGraph } from '../ir/interpreter.js';
import type { Tensor } from '../ir/tensor.js';
import type { FpgaVerifyOptions, FpgaVerifyReport } from './verify-fpga.js';

export interface FpgaPortVerifyOptions extends Omit<FpgaVerifyOptions, 'synth' | 'stallSeed'> {
  /** The board's serial device (e.g. /dev/ttyUSB1; tests: hw-sim/verilator/uart-pty.ts's pty). */
  port: string;
}

/** The compile output's Makefile target that programs the board (iCE40: iceprog; 7-series: the vendor's tools). */
function programHint(o: FpgaPortVerifyOptions): string {
  return o.target.pnr
    ? `program the board with this model's board top: edgeprune compile <model> --target ${o.target.name} --out <dir>, then make -C <dir> prog`
    : `program the board with this model's board top: edgeprune compile <model> --target ${o.target.name} --out <dir>, then build the bitstream from <dir>/rtl with the vendor's tools`;
}

/** A board that does not answer (a ping or a run) in time: exit 2 with what to check, not the emulator's load hint. */
function noAnswer(e: unknown, o: FpgaPortVerifyOptions): unknown {
  if (!(e instanceof HwSimTimeoutError)) return e;
  return new UserError(
    `no answer from the board on ${o.port}: ${e.message}`,
    `check that ${o.port} is the FPGA board's UART (${o.target.baudRate} baud) and that the board runs this model's board top; ${programHint(o)}`,
  );
}

async function openBoard(o: FpgaPortVerifyOptions): Promise<HarnessSession> {
  try {
    return await openSerialSession(o.port, { baudRate: o.target.baudRate });
  } catch (e) {
    throw noAnswer(e, o);
  }
}

/** The board must serve this model's core: one model named after the top module, with the core's byte sizes. */
function checkBoard(session: HarnessSession, project: FpgaProject, o: FpgaPortVerifyOptions): void {
  const { design } = project;
  const want = { name: design.top, inputBytes: [beatBytes(design.input.format)], outputBytes: [beatBytes(design.output.format)] };
  const describe = (m: { name: string; inputBytes: number[]; outputBytes: number[] }) =>
    `'${m.name}' (${m.inputBytes.join('+')} input bytes, ${m.outputBytes.join('+')} output bytes)`;
  const got = session.models;
  const same = got.length === 1 && got[0].name === want.name
    && got[0].inputBytes.join() === want.inputBytes.join() && got[0].outputBytes.join() === want.outputBytes.join();
  if (!same) {
    const found = got.length === 0 ? 'no model' : got.map(describe).join(', ');
    throw new UserError(`the board on ${o.port} serves ${found}, not this model's core ${describe(want)}`, programHint(o));
  }
}

/** An int8 stream's values as the wire's bytes (two's complement). */
function bytesOf(values: number[]): Uint8Array {
  return Uint8Array.from(values, (v) => v & 0xff);
}

export async function verifyOnFpgaPort(g: Graph, modelName: string, o: FpgaPortVerifyOptions): Promise<FpgaVerifyReport> {
  const project = fpgaProject(g, o.target, o);
  const { design } = project;
  const references = o.vectors.inputs.map((inputs) => {
    const feed = Object.fromEntries(g.inputs.map((v, i) => [v.name, inputs[i]])) as Record<string, Tensor>;
    return runGraph(g, feed, { keepIntermediates: true });
  });
  const valueOf = (env: Map<string, Tensor>, name: string) => {
    const t = env.get(name);
    if (!t) throw new Error(`the interpreter has no value '${name}'`);
    return t;
  };
  o.log?.(`connecting to the board on ${o.port} (${o.target.baudRate} baud)`);
  const t0 = Date.now();
  const session = await openBoard(o);
  const runs: RunResult[] = [];
  try {
    checkBoard(session, project, o);
    o.log?.(`running ${references.length} vector(s) on the board`);
    for (const env of references) {
      const input = bytesOf(streamValues(valueOf(env, design.input.value), design.input.format));
      const run = await session.run(0, [input]).catch((e: unknown) => {
        throw noAnswer(e, o);
      });
      if (run.counter !== 'fpga-cycles' || run.cycles === null) {
        throw new UserError(`the board on ${o.port} is not an FPGA board top: it counts ${run.counter}`, programHint(o));
      }
      runs.push(run);
    }
  } finally {
    await session.close();
  }
  const simulate = Date.now() - t0;
  const mismatches: FpgaVerifyReport['mismatches'] = [];
  let mismatchCount = 0;
  references.forEach((env, vector) => {
    const bytes = Array.from(runs[vector].outputs[0]);
    // An index: its unsigned bytes as one number; int8 values: signed, as the interpreter's.
    const got = design.output.format.kind === 'index' ? fromBytes(bytes, design.output.format) : bytes.map((b) => (b << 24) >> 24);
    const want = streamValues(valueOf(env, design.output.value), design.output.format);
    if (got.length !== want.length || got.some((v, i) => v !== want[i])) {
      mismatchCount++;
      mismatches.push({ run: 'board', vector, got, want }); // every one: the table names each vector
    }
  });
  const cycles = runs.map((r) => r.cycles!);
  const latencyCycles = Math.max(...cycles);
  const clockMHz = o.target.clockHz / 1e6;
  return {
    model: modelName,
    target: o.target.name,
    family: o.target.family,
    runOn: `board on ${o.port}: not simulated, no per-layer trace over the port`,
    vectorSource: o.vectors.source,
    precision: o.precision,
    comparison: 'bit-exact',
    passed: mismatchCount === 0,
    vectors: references.length,
    mismatchCount,
    mismatches,
    firstDivergingLayer: null,
    latencyCycles,
    initiationInterval: project.initiationInterval,
    clockMHz,
    clockSource: `the board clock (${o.target.board})`,
    fmaxMHz: null,
    latencyUs: latencyCycles / clockMHz,
    luts: null,
    ffs: null,
    dsps: null,
    brams: null,
    resourcesSource: null,
    implementation: null,
    perLayer: hardwareLayers(design).map((l) => ({
      node: l.node, op: l.op, module: l.hardware.module,
      reuseFactor: l.hardware.reuseFactor ?? 1,
      latencyCycles: l.hardware.latencyCycles,
      initiationInterval: l.hardware.initiationInterval ?? 1,
      multipliers: l.hardware.multipliers,
      mismatches: null,
    })),
    multipliers: multipliersSummary(project),
    harnessCached: false,
    durationsMs: { simulate, synth: 0 },
    board: {
      port: o.port,
      baudRate: o.target.baudRate,
      cycles,
      note: 'measured on the board by its UART wrapper (input beat to output beat, one vector at a time); the initiation interval is the design\'s, not measured; layers are not traced over the port (perLayer mismatches null): verify without --port traces them in Verilator',
    },
  };
}
