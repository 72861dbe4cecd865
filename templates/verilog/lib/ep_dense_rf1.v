// ep_dense_rf1: an int8 fully connected layer at reuse factor 1 (every product in parallel, II = 1), the hardware
// form of Int8Gemm (src/ops/int8-gemm.ts) for one input row:
//   acc[o] = BIAS[o] + sum_i W[o][i] * x[i]        (BIAS already holds B[o] - x_zp * sum_i W[o][i])
//   y[o]   = clamp(requantize(acc[o], MULT[o], SHIFT[o]) + Y_ZP, ACT_MIN, ACT_MAX)   (ep_requant.v)
// Weights are constants: a zero weight generates no multiplier and no adder (the generate below leaves it out), so
// weight pruning removes hardware. Each output's products are summed by a balanced adder tree.
//
// ACC_BITS (src/emit/verilog/accumulator-bits.ts: the smallest signed width holding every accumulator of the layer;
// 32 = int32) sizes the products, the adder trees and the accumulators; MULT_BITS (the quantizer's multiplier_bits:
// every MULT has its low 31 - MULT_BITS bits zero) narrows the requantizers' multiply. Sums wrap modulo 2^ACC_BITS,
// which leaves the final accumulator exact since it fits.
//
// Stream interface (AXI-Stream style): one beat is the whole input vector (byte i = x[i]) and the whole output
// vector. Three pipeline stages (products and sum, then ep_requant's two), all held while the output is valid and
// not taken: in_ready = out_ready || !out_valid.

module ep_dense_rf1 #(
    parameter integer N_IN = 1,
    parameter integer N_OUT = 1,
    // width of the accumulators (at most 32), significant bits of the multipliers (8..31)
    parameter integer ACC_BITS = 32,
    parameter integer MULT_BITS = 31,
    // W[o][i] at bits [8*(o*N_IN + i) +: 8], int8
    parameter [8*N_IN*N_OUT-1:0] WEIGHTS = 0,
    // folded bias of output o at [32*o +: 32], int32 (within ACC_BITS)
    parameter [32*N_OUT-1:0] BIAS = 0,
    // fixed-point multiplier of output o at [31*o +: 31] (0 or [2^30, 2^31)), shift at [6*o +: 6] (1..62)
    parameter [31*N_OUT-1:0] MULT = 0,
    parameter [6*N_OUT-1:0] SHIFT = 0,
    parameter integer Y_ZP = 0,
    parameter integer ACT_MIN = -128,
    parameter integer ACT_MAX = 127
) (
    input  wire                 clk,
    input  wire                 rst,
    input  wire                 in_valid,
    output wire                 in_ready,
    input  wire [8*N_IN-1:0]    in_data,
    output wire                 out_valid,
    input  wire                 out_ready,
    output wire [8*N_OUT-1:0]   out_data
);
    // Leaves of the adder trees: the next power of two at or above N_IN.
    localparam integer LEAVES = N_IN <= 1 ? 1 : 1 << $clog2(N_IN);

    wire advance = out_ready || !out_valid;
    assign in_ready = advance;

    reg                 valid_0;
    reg  [ACC_BITS*N_OUT-1:0] acc_0;
    // Every neuron's requantizer carries the same valid bit; the first one's is the output's.
    /* verilator lint_off UNUSEDSIGNAL */
    wire [N_OUT-1:0]    out_valids;
    /* verilator lint_on UNUSEDSIGNAL */

    always @(posedge clk) if (rst) valid_0 <= 1'b0; else if (advance) valid_0 <= in_valid;

    genvar o, k;
    generate
        for (o = 0; o < N_OUT; o = o + 1) begin : neuron
            // Tree node k (1 = the root; LEAVES + i = the product of input i) is the wire node[k].v.
            for (k = 1; k < 2*LEAVES; k = k + 1) begin : node
                wire signed [ACC_BITS-1:0] v;
                if (k < LEAVES) begin : sum
                    assign v = node[2*k].v + node[2*k + 1].v;
                end else if (k - LEAVES < N_IN && WEIGHTS[8*(o*N_IN + k - LEAVES) +: 8] != 8'd0) begin : mul
                    // int8 x int8, then sign-extended (or wrapped, below 16 bits) to ACC_BITS
                    /* verilator lint_off UNUSEDSIGNAL */
                    wire signed [15:0] p = $signed(in_data[8*(k - LEAVES) +: 8]) * $signed(WEIGHTS[8*(o*N_IN + k - LEAVES) +: 8]);
                    /* verilator lint_on UNUSEDSIGNAL */
                    if (ACC_BITS >= 16) begin : extend
                        assign v = {{(ACC_BITS - 15){p[15]}}, p[14:0]};
                    end else begin : wrap
                        assign v = p[ACC_BITS-1:0];
                    end
                end else begin : zero
                    assign v = {ACC_BITS{1'b0}};
                end
            end
            always @(posedge clk) if (advance) acc_0[ACC_BITS*o +: ACC_BITS] <= node[1].v + $signed(BIAS[32*o +: ACC_BITS]);

            ep_requant #(.ACC_BITS(ACC_BITS), .MULT_BITS(MULT_BITS)) requant (
                .clk(clk), .rst(rst), .en(advance),
                .in_valid(valid_0),
                .acc(acc_0[ACC_BITS*o +: ACC_BITS]),
                .multiplier(MULT[31*o +: 31]),
                .shift(SHIFT[6*o +: 6]),
                .zero_point(Y_ZP[7:0]),
                .act_min(ACT_MIN[7:0]),
                .act_max(ACT_MAX[7:0]),
                .out_valid(out_valids[o]),
                .out(out_data[8*o +: 8])
            );
        end
    endgenerate

    assign out_valid = out_valids[0];
endmodule
