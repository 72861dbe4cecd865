// ep_argmax: the index of the largest int8 value of a vector, the hardware form of the interpreter's ArgMax
// (src/ops/arg-max.ts) over one axis holding the whole vector: ties go to the first index (SELECT_LAST = 0) or to the
// last (SELECT_LAST = 1, ONNX select_last_index). A balanced tree of comparators: each node keeps its left child (the
// lower indices) unless the right one is larger (or, selecting the last, not smaller), which keeps the tie rule over
// the whole vector. One pipeline stage (the output register).
//
// Stream interface (AXI-Stream style): one input beat is the whole vector (byte i = x[i], signed); one output beat is
// the index, unsigned, in IDX_BYTES bytes (little-endian). in_ready = out_ready || !out_valid.

module ep_argmax #(
    parameter integer N = 1,
    parameter integer IDX_BYTES = 1,
    parameter integer SELECT_LAST = 0
) (
    input  wire                   clk,
    input  wire                   rst,
    input  wire                   in_valid,
    output wire                   in_ready,
    input  wire [8*N-1:0]         in_data,
    output reg                    out_valid,
    input  wire                   out_ready,
    output reg  [8*IDX_BYTES-1:0] out_data
);
    // Leaves of the comparator tree: the next power of two at or above N (the padding leaves never win).
    localparam integer LEAVES = N <= 1 ? 1 : 1 << $clog2(N);
    localparam integer IDX_BITS = 8*IDX_BYTES;

    wire advance = out_ready || !out_valid;
    assign in_ready = advance;

    genvar k;
    generate
        // Node k (1 = the root; LEAVES + i = input i): its winner's value, index, and whether it holds an input.
        for (k = 1; k < 2*LEAVES; k = k + 1) begin : node
            // (the root's value and presence, and a padding leaf's, are read by nobody)
            /* verilator lint_off UNUSEDSIGNAL */
            wire signed [7:0]    value;
            wire                 present;
            /* verilator lint_on UNUSEDSIGNAL */
            wire [IDX_BITS-1:0]  index;
            if (k < LEAVES) begin : pick
                wire right = node[2*k + 1].present && (SELECT_LAST != 0 ? node[2*k + 1].value >= node[2*k].value
                                                                         : node[2*k + 1].value > node[2*k].value);
                assign value   = right ? node[2*k + 1].value : node[2*k].value;
                assign index   = right ? node[2*k + 1].index : node[2*k].index;
                assign present = node[2*k].present;
            end else begin : leaf
                /* verilator lint_off UNUSEDSIGNAL */
                wire [31:0] position = k - LEAVES;
                /* verilator lint_on UNUSEDSIGNAL */
                assign index = position[IDX_BITS-1:0];
                if (k - LEAVES < N) begin : input_leaf
                    assign value   = in_data[8*(k - LEAVES) +: 8];
                    assign present = 1'b1;
                end else begin : padding
                    assign value   = 8'sd0;
                    assign present = 1'b0;
                end
            end
        end
    endgenerate

    always @(posedge clk) if (rst) out_valid <= 1'b0; else if (advance) out_valid <= in_valid;
    always @(posedge clk) if (advance) out_data <= node[1].index;
endmodule
