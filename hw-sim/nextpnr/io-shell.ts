// A pin-frugal top level for placing one stream module (a layer, or a chain of them) on a small FPGA package: the
// module's wide input and output beats (8·N bits each) would need hundreds of pins, so the shell shifts the input
// vector in one bit per clock and the output vector out one bit per clock, keeping every bit of both live (nothing
// is optimized away) with eight pins: clk, rst, in_bit, in_valid, in_ready, out_ready, out_valid, out_bit. The shell
// adds 8·(N_IN + N_OUT) flip-flops and about 8·N_OUT LUTs to the figures; a board design uses the UART wrapper instead.

import { verilogIdentifier } from '../../src/util/escape.js';

export interface IoShellInput {
  /** The shell's module name. */
  top: string;
  /** The stream module it instantiates (ports clk, rst, in_valid, in_ready, in_data, out_valid, out_ready, out_data). */
  inner: string;
  /** Bytes of the input beat and of the output beat. */
  inBytes: number;
  outBytes: number;
}

/** The names of the shell's eight ports (for constraints files). */
export const IO_SHELL_PORTS = ['clk', 'rst', 'in_bit', 'in_valid', 'in_ready', 'out_ready', 'out_valid', 'out_bit'] as const;

/** The Verilog of the shell. */
export function ioShell(input: IoShellInput): string {
  const top = verilogIdentifier(input.top);
  const inner = verilogIdentifier(input.inner);
  const inBits = 8 * input.inBytes;
  const outBits = 8 * input.outBytes;
  if (!(Number.isInteger(input.inBytes) && input.inBytes >= 1 && Number.isInteger(input.outBytes) && input.outBytes >= 1)) {
    throw new Error(`ioShell: beat sizes ${input.inBytes} and ${input.outBytes} bytes must be positive integers`);
  }
  const shiftIn = inBits === 1 ? 'in_bit' : `{in_shift[${inBits - 2}:0], in_bit}`;
  return `// I/O shell around ${inner} for place and route (hw-sim/nextpnr/io-shell.ts): bit-serial input and output.
module ${top} (
    input  wire clk,
    input  wire rst,
    input  wire in_bit,
    input  wire in_valid,
    output wire in_ready,
    input  wire out_ready,
    output wire out_valid,
    output wire out_bit
);
    reg  [${inBits - 1}:0] in_shift;
    wire [${outBits - 1}:0] out_data;
    reg  [${outBits - 1}:0] out_shift;
    always @(posedge clk) in_shift <= ${shiftIn};
    ${inner} dut (
        .clk(clk), .rst(rst),
        .in_valid(in_valid), .in_ready(in_ready), .in_data(in_shift),
        .out_valid(out_valid), .out_ready(out_ready), .out_data(out_data)
    );
    always @(posedge clk) out_shift <= out_valid && out_ready ? out_data : out_shift >> 1;
    assign out_bit = out_shift[0];
endmodule
`;
}
