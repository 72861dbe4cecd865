// `edgeprune verify <model> --target <fpga> --port <device>`: the model on a real FPGA board running its board top
// (src/verify/verify-fpga-port.ts, which lists every mismatch), rendered as a table per vector and the verdict; exit 4 is the caller's.

import type { FpgaVerifyReport } from '../../verify/verify-fpga.js';
import { terminalName, terminalText } from '../../util/escape.js';
import { formatCount, renderTable } from '../format.js';

export function renderFpgaPortVerify(r: FpgaVerifyReport): string {
  const board = r.board!;
  const failed = new Map(r.mismatches.map((m) => [m.vector, m]));
  const rows = board.cycles.map((cycles, v) => {
    const m = failed.get(v);
    return [String(v), formatCount(cycles), m ? `FAIL: got [${m.got.join(' ')}], want [${m.want.join(' ')}]` : 'ok'];
  });
  const lines = [
    `verify ${terminalName(r.model)} on ${r.target} (${terminalText(r.runOn)})`,
    `vectors: ${terminalText(r.vectorSource)}`,
    '',
    renderTable(['#', 'cycles', 'vs interpreter'], rows, [true, true, false]),
    '',
    r.passed
      ? `PASSED: ${r.vectors}/${r.vectors} vectors bit-exact with the interpreter (the core's output; layers are not traced over the port)`
      : `FAILED: ${r.mismatchCount} output mismatches over ${r.vectors} vectors, first on vector ${r.mismatches[0].vector}; to find the diverging layer, run verify without --port (Verilator traces every layer)`,
    `precision: ${terminalText(r.precision.reason)}`,
    `latency: ${r.latencyCycles} cycles measured on the board → ${r.latencyUs.toFixed(3)} µs at ${r.clockMHz.toFixed(1)} MHz (${terminalText(r.clockSource)}); the design takes a new input every ${r.initiationInterval} cycle(s) (not measured over the port)`,
    `time: ${(r.durationsMs.simulate / 1000).toFixed(2)} s on the board at ${board.baudRate} baud`,
  ];
  return lines.join('\n');
}
