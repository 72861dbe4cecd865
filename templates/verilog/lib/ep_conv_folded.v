// ep_conv_folded: the int8 2-D convolution of ep_conv_stream.v (same arithmetic, parameters, stream interface and
// window, bit-exact with Int8Conv) folded onto P multipliers: the C_OUT*K*K*C_IN products of an output pixel are
// made P per cycle, output channel after output channel, with the weights in a ROM of C_OUT*K*K*C_IN/P words of P
// bytes (initialized from WEIGHTS; a synchronous read, so synthesis can put it in block RAM), one accumulator and one
// requantizer shared by the channels (MULT, SHIFT and BIAS read per channel). The reuse factor is K*K*C_IN/P; P must
// divide K*K*C_IN. For the digits CNN's conv2 (8→16, 3x3: 1,152 products per pixel) P = 8 needs 8 multipliers
// instead of 1,152 and takes 144 cycles per output pixel.
//
// Pipeline, all of it held while the output is valid and not taken: issue (read the ROM word and the window's P taps
// of group j of channel o) → products and sum → accumulate (the channel's bias first) → ep_requant (2 stages) → the
// output pixel's bytes; the beat goes out when its last channel is done. The window (ep_window_stream) is held while
// its products are issued and steps on in the cycle of its last group, so the next window's steps overlap the
// pipeline's tail.
//
// Cycles: R = C_OUT * K*K*C_IN / P issue cycles per window. Without stalls, with the input always offered, output k
// (raster order) of the first frame is taken t_k + 1 + k*(R - 1) + R + 4 cycles after the frame's first pixel, where
// t_k = t(r, c) is the window's step (ep_window_stream.v): 1 cycle to present the window, R issue cycles (a
// window's steps beyond the first overlap its predecessor's last issue cycle), then 5 pipeline cycles. An output pixel
// every R cycles in steady state (stride 1; a stride-S layer also waits for its S - 1 non-output steps per output).
// Limits: those of ep_window_stream, and P dividing K*K*C_IN.

module ep_conv_folded #(
    parameter integer H = 1,
    parameter integer W = 1,
    parameter integer C_IN = 1,
    parameter integer C_OUT = 1,
    parameter integer K = 1,
    parameter integer PAD = 0,
    parameter integer STRIDE = 1,
    parameter integer P = 1,
    parameter integer X_ZP = 0,
    // W[o][ci][kr][kc] (ONNX order) at bits [8*(((o*C_IN + ci)*K + kr)*K + kc) +: 8], int8
    parameter [8*C_OUT*C_IN*K*K-1:0] WEIGHTS = 0,
    parameter [32*C_OUT-1:0] BIAS = 0,
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
    output reg                  out_valid,
    input  wire                 out_ready,
    output reg  [8*C_OUT-1:0]   out_data
);
    localparam integer TAPS = K * K * C_IN;
    localparam integer G = TAPS / P;              // issue cycles per output channel
    localparam integer WORDS = C_OUT * G;
    localparam integer AW = WORDS <= 1 ? 1 : $clog2(WORDS);
    localparam integer GW = G <= 1 ? 1 : $clog2(G);
    localparam integer OW = C_OUT <= 1 ? 1 : $clog2(C_OUT);
    localparam integer LEAVES = P <= 1 ? 1 : 1 << $clog2(P);
    localparam integer TW = 17 + $clog2(LEAVES);

    generate
        if (P < 1 || TAPS % P != 0) begin : bad_fold
            $error("ep_conv_folded: P (the multipliers) must divide K*K*C_IN (the products of an output channel)");
        end
    endgenerate

    wire advance = out_ready || !out_valid;

    // The window, held while its products are issued.
    wire                   win_valid;
    wire [8*C_IN*K*K-1:0]  win_data;
    wire [K-1:0]           row_ok, col_ok;
    reg  [OW-1:0]          o;       // channel and group of the next issue
    reg  [GW-1:0]          j;
    reg  [AW-1:0]          addr;    // o*G + j
    wire last_group = j == G[GW-1:0] - 1'b1;
    wire last_issue = last_group && o == C_OUT[OW-1:0] - 1'b1;
    wire issue = advance && win_valid;

    ep_window_stream #(.H(H), .W(W), .C(C_IN), .K(K), .PAD(PAD), .STRIDE(STRIDE)) window (
        .clk(clk), .rst(rst), .en(advance && (!win_valid || last_issue)),
        .in_valid(in_valid), .in_ready(in_ready), .in_data(in_data),
        .win_valid(win_valid), .win_data(win_data), .row_ok(row_ok), .col_ok(col_ok)
    );

    // Taps in the weights' order (leaf i = (ci*K + kr)*K + kc) with their inside-the-image flags; the P taps of the
    // group issued are picked first, then those outside read the input zero point (P byte muxes, not K*K*C_IN).
    wire [8*TAPS-1:0] taps;
    wire [TAPS-1:0]   in_image;
    genvar ci, kr, kc, k;
    generate
        for (ci = 0; ci < C_IN; ci = ci + 1) begin : tap_ch
            for (kr = 0; kr < K; kr = kr + 1) begin : tap_row
                for (kc = 0; kc < K; kc = kc + 1) begin : tap_col
                    assign taps[8*((ci*K + kr)*K + kc) +: 8] = win_data[8*((kr*K + kc)*C_IN + ci) +: 8];
                    assign in_image[(ci*K + kr)*K + kc] = row_ok[kr] && col_ok[kc];
                end
            end
        end
    endgenerate
    wire [8*P-1:0] group_taps = taps[8*P*j +: 8*P];
    wire [P-1:0]   group_inside = in_image[P*j +: P];
    wire [8*P-1:0] group_x;
    generate
        for (k = 0; k < P; k = k + 1) begin : pad
            assign group_x[8*k +: 8] = group_inside[k] ? group_taps[8*k +: 8] : X_ZP[7:0];
        end
    endgenerate

    // The weight ROM: word o*G + j = the P weights of group j of channel o (WEIGHTS is already in that order).
    reg [8*P-1:0] rom [0:WORDS-1];
    integer a;
    initial for (a = 0; a < WORDS; a = a + 1) rom[a] = WEIGHTS[8*P*a +: 8*P];

    always @(posedge clk) begin
        if (rst) begin
            o <= {OW{1'b0}};
            j <= {GW{1'b0}};
            addr <= {AW{1'b0}};
        end else if (issue) begin
            addr <= last_issue ? {AW{1'b0}} : addr + 1'b1;
            j <= last_group ? {GW{1'b0}} : j + 1'b1;
            if (last_group) o <= last_issue ? {OW{1'b0}} : o + 1'b1;
        end
    end

    // Stage 1: the issued weights and taps.
    reg  [8*P-1:0] w_1, x_1;
    reg            valid_1, first_1, last_1;
    reg  [OW-1:0]  o_1;
    always @(posedge clk) if (advance) begin
        w_1 <= rom[addr];
        x_1 <= group_x;
        first_1 <= j == {GW{1'b0}};
        last_1 <= last_group;
        o_1 <= o;
    end
    always @(posedge clk) if (rst) valid_1 <= 1'b0; else if (advance) valid_1 <= issue;

    // Stage 2: the P products summed into the channel's accumulator (its bias first).
    generate
        for (k = 1; k < 2*LEAVES; k = k + 1) begin : node
            wire signed [TW-1:0] v;
            if (k < LEAVES) begin : sum
                assign v = node[2*k].v + node[2*k + 1].v;
            end else if (k - LEAVES < P) begin : mul
                assign v = $signed(x_1[8*(k - LEAVES) +: 8]) * $signed(w_1[8*(k - LEAVES) +: 8]);
            end else begin : zero
                assign v = {TW{1'b0}};
            end
        end
    endgenerate
    reg signed [31:0] acc_2;
    reg               valid_2;
    reg  [OW-1:0]     o_2;
    wire signed [31:0] start = first_1 ? $signed(BIAS[32*o_1 +: 32]) : acc_2;
    always @(posedge clk) if (advance && valid_1) begin
        acc_2 <= start + {{(32 - TW){node[1].v[TW-1]}}, node[1].v};
        o_2 <= o_1;
    end
    always @(posedge clk) if (rst) valid_2 <= 1'b0; else if (advance) valid_2 <= valid_1 && last_1;

    // Stages 3-4: the shared requantizer, the channel index alongside.
    wire              rq_valid;
    wire signed [7:0] rq_out;
    reg  [OW-1:0]     o_3, o_4;
    always @(posedge clk) if (advance) begin
        o_3 <= o_2;
        o_4 <= o_3;
    end
    ep_requant requant (
        .clk(clk), .rst(rst), .en(advance),
        .in_valid(valid_2),
        .acc(acc_2),
        .multiplier(MULT[31*o_2 +: 31]),
        .shift(SHIFT[6*o_2 +: 6]),
        .zero_point(Y_ZP[7:0]),
        .act_min(ACT_MIN[7:0]),
        .act_max(ACT_MAX[7:0]),
        .out_valid(rq_valid),
        .out(rq_out)
    );

    // Stage 5: the output pixel's bytes; the beat when its last channel arrives.
    // The last channel's byte goes straight to the output: its slot in `result` is not read.
    /* verilator lint_off UNUSEDSIGNAL */
    reg [8*C_OUT-1:0] result;
    /* verilator lint_on UNUSEDSIGNAL */
    wire done = rq_valid && o_4 == C_OUT[OW-1:0] - 1'b1;
    always @(posedge clk) if (advance && rq_valid) result[8*o_4 +: 8] <= rq_out;
    always @(posedge clk) if (rst) out_valid <= 1'b0; else if (advance) out_valid <= done;
    generate
        if (C_OUT == 1) begin : one
            always @(posedge clk) if (advance && done) out_data <= rq_out;
        end else begin : many
            always @(posedge clk) if (advance && done) out_data <= {rq_out, result[8*(C_OUT-1)-1:0]};
        end
    endgenerate
endmodule
