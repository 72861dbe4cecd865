// ep_conv_stream: an int8 2-D convolution on a pixel stream at reuse factor 1, the hardware form of Int8Conv
// (src/ops/int8-conv.ts) with group 1 and dilation 1, for one H x W x C_IN image per frame:
//   acc[o]    = BIAS[o] + sum over kr, kc, ci of W[o][ci][kr][kc] * x[r*STRIDE - PAD + kr][c*STRIDE - PAD + kc][ci]
//   y[r][c][o] = clamp(requantize(acc[o], MULT[o], SHIFT[o]) + Y_ZP, ACT_MIN, ACT_MAX)      (ep_requant.v)
// where a padded tap (outside the image) reads X_ZP, the input zero point. The interpreter skips padded taps, which is
// the same as reading x_zp there ((x_zp - x_zp) * w = 0), so BIAS = B[o] - X_ZP * (sum of every weight of output o)
// folds the zero point exactly at every output, borders included.
//
// Stream interface (AXI-Stream style, NHWC streaming): one beat is one pixel with all its channels (channel ci at
// [8*ci +: 8]), in raster order, frames back to back; one output beat is one output pixel with all C_OUT channels, in
// raster order. The line buffer and window are ep_window_stream.v (its comment has the schedule). All C_OUT*K*K*C_IN
// products of an output pixel are made in one cycle; a zero weight generates no multiplier and no adder; each output
// channel has a balanced adder tree and its own requantizer. II = 1 pixel per cycle.
//
// Latency: output (r, c) of a frame is valid 4 cycles after the step t(r, c) = (r*STRIDE - PAD + K - 1)*W +
// c*STRIDE - PAD + K - 1 that completes its window (window register, products and sum, ep_requant's two stages).
// Without stalls that is t(r, c) + 4 cycles after the frame's first pixel is taken: the first output T_FIRST + 4 =
// (K-1-PAD)*(W+1) + 4 cycles after it, the last one T_LAST + 4 (for 'same' padding at stride 1, H*W - 1 + PAD*W +
// PAD + 4). The PAD*W + PAD steps past a frame's last pixel (the rows below) are taken without input if the next
// frame is not offered, else by the next frame's first pixels: back-to-back frames take H*W cycles each.
// Stalls hold every stage: in_ready = out_ready || !out_valid.
//
// Limits (elaboration errors in ep_window_stream): W >= K, 2*PAD <= K - 1 (symmetric padding up to 'same'),
// STRIDE >= 1. Group 1 and dilation 1 only: the emitter refuses other convolutions.

module ep_conv_stream #(
    parameter integer H = 1,
    parameter integer W = 1,
    parameter integer C_IN = 1,
    parameter integer C_OUT = 1,
    parameter integer K = 1,
    parameter integer PAD = 0,
    parameter integer STRIDE = 1,
    parameter integer X_ZP = 0,
    // W[o][ci][kr][kc] (ONNX order) at bits [8*(((o*C_IN + ci)*K + kr)*K + kc) +: 8], int8
    parameter [8*C_OUT*C_IN*K*K-1:0] WEIGHTS = 0,
    // folded bias of output channel o at [32*o +: 32], int32
    parameter [32*C_OUT-1:0] BIAS = 0,
    // fixed-point multiplier of output channel o at [31*o +: 31] (0 or [2^30, 2^31)), shift at [6*o +: 6] (1..62)
    parameter [31*C_OUT-1:0] MULT = 0,
    parameter [6*C_OUT-1:0] SHIFT = 0,
    parameter integer Y_ZP = 0,
    parameter integer ACT_MIN = -128,
    parameter integer ACT_MAX = 127
) (
    input  wire                 clk,
    input  wire                 rst,
    input  wire                 in_valid,
    output wire                 in_ready,
    input  wire [8*C_IN-1:0]    in_data,
    output wire                 out_valid,
    input  wire                 out_ready,
    output wire [8*C_OUT-1:0]   out_data
);
    localparam integer TAPS = K * K * C_IN;
    // Leaves of the adder trees: the next power of two at or above TAPS; the tree's width holds any sum of them.
    localparam integer LEAVES = TAPS <= 1 ? 1 : 1 << $clog2(TAPS);
    localparam integer TW = 17 + $clog2(LEAVES);

    generate if (TAPS > 16384) begin : too_many_taps
        $error("ep_conv_stream: K*K*C_IN (the products of an output channel) is more than 16384");
    end endgenerate

    wire advance = out_ready || !out_valid;

    wire                     win_valid;
    wire [8*C_IN*K*K-1:0]    win_data;
    wire [K-1:0]             row_ok, col_ok;

    ep_window_stream #(.H(H), .W(W), .C(C_IN), .K(K), .PAD(PAD), .STRIDE(STRIDE)) window (
        .clk(clk), .rst(rst), .en(advance),
        .in_valid(in_valid), .in_ready(in_ready), .in_data(in_data),
        .win_valid(win_valid), .win_data(win_data), .row_ok(row_ok), .col_ok(col_ok)
    );

    // Every tap's value: the window's pixel, or the input zero point where the window hangs over the border.
    // Leaf i = (ci*K + kr)*K + kc, the order of the weights.
    // Pruned weights leave taps (and window pixels) unread.
    /* verilator lint_off UNUSEDSIGNAL */
    wire [8*TAPS-1:0] taps;
    /* verilator lint_on UNUSEDSIGNAL */
    genvar o, k, ci, kr, kc;
    generate
        for (ci = 0; ci < C_IN; ci = ci + 1) begin : tap_ch
            for (kr = 0; kr < K; kr = kr + 1) begin : tap_row
                for (kc = 0; kc < K; kc = kc + 1) begin : tap_col
                    assign taps[8*((ci*K + kr)*K + kc) +: 8] =
                        row_ok[kr] && col_ok[kc] ? win_data[8*((kr*K + kc)*C_IN + ci) +: 8] : X_ZP[7:0];
                end
            end
        end
    endgenerate

    reg                  valid_0;
    reg  [32*C_OUT-1:0]  acc_0;
    /* verilator lint_off UNUSEDSIGNAL */
    wire [C_OUT-1:0]     out_valids;
    /* verilator lint_on UNUSEDSIGNAL */

    always @(posedge clk) if (rst) valid_0 <= 1'b0; else if (advance) valid_0 <= win_valid;

    generate
        for (o = 0; o < C_OUT; o = o + 1) begin : channel
            // Tree node k (1 = the root; LEAVES + i = the product of tap i) is the wire node[k].v.
            for (k = 1; k < 2*LEAVES; k = k + 1) begin : node
                wire signed [TW-1:0] v;
                if (k < LEAVES) begin : sum
                    assign v = node[2*k].v + node[2*k + 1].v;
                end else if (k - LEAVES < TAPS && WEIGHTS[8*(o*TAPS + k - LEAVES) +: 8] != 8'd0) begin : mul
                    assign v = $signed(taps[8*(k - LEAVES) +: 8]) * $signed(WEIGHTS[8*(o*TAPS + k - LEAVES) +: 8]);
                end else begin : zero
                    assign v = {TW{1'b0}};
                end
            end
            always @(posedge clk) if (advance) acc_0[32*o +: 32] <= {{(32 - TW){node[1].v[TW-1]}}, node[1].v} + $signed(BIAS[32*o +: 32]);

            ep_requant requant (
                .clk(clk), .rst(rst), .en(advance),
                .in_valid(valid_0),
                .acc(acc_0[32*o +: 32]),
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
