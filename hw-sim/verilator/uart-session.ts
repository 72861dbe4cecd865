// A harness session with an FPGA design in Verilator: the design's core behind the UART wrapper
// (templates/verilog/lib/ep_uart_top.v), its pins bridged to stdin/stdout by tb/ep_uart_top_tb.cpp, driven by the same
// protocol client as an MCU (hw-sim/protocol/client.ts). What a board with the wrapper answers over its serial port,
// bit for bit, at CLKS_PER_BIT clocks a bit (small here, for speed). Runs count the design's clock cycles ('fpga').

import { repoPath } from '../../src/util/package-root.js';
import { openHostSession } from '../host/session.js';
import type { HarnessSession, SessionTimeouts } from '../session.js';
import { buildVerilatorHarness, type VerilatorHarness } from './harness.js';

/** Clock cycles per UART bit in the simulation: the smallest the receiver takes. */
export const SIM_CLKS_PER_BIT = 4;

export interface UartDesign {
  /** The core's Verilog sources (absolute paths) and its top module (the stream interface of ep_uart_top.v). */
  core: string[];
  coreTop: string;
  inBytes: number;
  outBytes: number;
  /** The model's name in the DESC reply: a token (letters, digits, '_', '-', '.'). */
  name: string;
  clksPerBit?: number;
}

const lib = (file: string): string => repoPath('templates/verilog/lib', file);

/** Build (or find in the cache) the Verilator simulation of `design` behind the UART wrapper. */
export function buildUartSimulation(design: UartDesign): Promise<VerilatorHarness> {
  if (!/^[A-Za-z0-9_.-]+$/.test(design.name)) throw new Error(`model name '${design.name}' is not a token (letters, digits, '_', '-', '.')`);
  return buildVerilatorHarness({
    top: 'ep_uart_top',
    verilog: [lib('ep_uart_top.v'), lib('ep_uart_rx.v'), lib('ep_uart_tx.v'), ...design.core],
    testbench: [lib('tb/ep_uart_top_tb.cpp')],
    parameters: {
      IN_BYTES: design.inBytes,
      OUT_BYTES: design.outBytes,
      CLKS_PER_BIT: design.clksPerBit ?? SIM_CLKS_PER_BIT,
      NAME_LEN: design.name.length,
      NAME: design.name,
    },
    defines: { EP_CORE: design.coreTop },
  });
}

export interface UartSessionOptions extends SessionTimeouts {
  /** Must be the CLKS_PER_BIT the simulation was built with (default SIM_CLKS_PER_BIT). */
  clksPerBit?: number;
  /** The simulation is killed after this long whatever it is doing (default 10 min). */
  lifetimeMs?: number;
}

/** Start the simulation and connect to it: handshake and describe, as with a board. */
export function openUartSession(harness: VerilatorHarness, opts: UartSessionOptions = {}): Promise<HarnessSession> {
  return openHostSession(harness.executable, {
    ...opts,
    transfer: 'uart',
    program: { args: [String(opts.clksPerBit ?? SIM_CLKS_PER_BIT)], label: `Verilator UART simulation (${harness.executable})`, debianPackage: 'verilator' },
  });
}
