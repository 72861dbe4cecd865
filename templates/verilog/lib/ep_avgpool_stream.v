// ep_avgpool_stream: int8 average pooling on a pixel stream, the hardware form of Int8AveragePool
// (src/ops/int8-average-pool.ts, docs/numerics.md "int8"):
//   y[r][c][ch] = clamp(requantize(sum over the window's taps inside the image of (x - X_ZP), M(n), S(n)) + Y_ZP,
//                       ACT_MIN, ACT_MAX)
// n is the number of taps inside the image (count_include_pad 0) or K*K (count_include_pad 1: COUNT_PAD = 1); the
// multiplier and shift of each count n = 1..K*K are parameters (MULT[31*(n-1) +: 31], SHIFT[6*(n-1) +: 6], from
// averageMultipliers: x_scale / (y_scale * n)), chosen per window from the line buffer's border flags. A padded tap
// is the real 0: it adds nothing. |sum| <= K*K*255, so the sum and the requantizer's accumulator are narrow.
//
// Stream interface (AXI-Stream style, NHWC streaming) and schedule as ep_maxpool_stream.v, on ep_window_stream.v:
// output (r, c) is offered 4 cycles after the step t(r, c) that completes its window (the window register, the sums
// and the window's multiplier, ep_requant's two stages); II = 1 pixel per cycle. Floor mode only, dilation 1.

module ep_avgpool_stream #(
    parameter integer H = 2,
    parameter integer W = 2,
    parameter integer C = 1,
    parameter integer K = 2,
    parameter integer STRIDE = 2,
    parameter integer PAD = 0,
    parameter integer COUNT_PAD = 0,
    parameter integer X_ZP = 0,
    parameter [31*K*K-1:0] MULT = 0,
    parameter [6*K*K-1:0] SHIFT = 0,
    parameter integer Y_ZP = 0,
    parameter integer ACT_MIN = -128,
    parameter integer ACT_MAX = 127
) (
    input  wire              clk,
    input  wire              rst,
    input  wire              in_valid,
    output wire              in_ready,
    input  wire [8*C-1:0]    in_data,
    output wire              out_valid,
    input  wire              out_ready,
    output wire [8*C-1:0]    out_data
);
    localparam integer TAPS = K * K;
    // |sum| <= TAPS * 255 < 2^(SB-1)
    localparam integer SB = $clog2(TAPS * 255 + 1) + 1;
    localparam integer NW = $clog2(TAPS + 1);
    localparam signed [8:0] X_ZP9 = X_ZP[8:0];

    wire en = out_ready || !out_valid;

    wire                 win_valid;
    wire [8*C*K*K-1:0]   win_data;
    // Without padding every tap is inside the image: the flags are not read.
    /* verilator lint_off UNUSEDSIGNAL */
    wire [K-1:0]         row_ok, col_ok;
    /* verilator lint_on UNUSEDSIGNAL */

    ep_window_stream #(.H(H), .W(W), .C(C), .K(K), .PAD(PAD), .STRIDE(STRIDE)) window (
        .clk(clk), .rst(rst), .en(en),
        .in_valid(in_valid), .in_ready(in_ready), .in_data(in_data),
        .win_valid(win_valid), .win_data(win_data), .row_ok(row_ok), .col_ok(col_ok)
    );

    // The taps inside the image: rows in times columns in (K*K without padding or with COUNT_PAD).
    function [NW-1:0] ones;
        input [K-1:0] bits;
        integer i;
        begin
            ones = {NW{1'b0}};
            for (i = 0; i < K; i = i + 1) if (bits[i]) ones = ones + 1'b1;
        end
    endfunction
    localparam [NW-1:0] ALL_TAPS = TAPS[NW-1:0];
    wire [NW-1:0] taps_in = ones(row_ok) * ones(col_ok);
    wire [NW-1:0] count = (PAD == 0 || COUNT_PAD != 0) ? ALL_TAPS : taps_in;
    wire [NW-1:0] count_index = count - 1'b1;   // MULT/SHIFT entry of the count

    // Stage 1: the window's sums of (x - X_ZP) over the taps inside, and its count's multiplier and shift.
    reg  [SB*C-1:0] sum_1;
    reg  [30:0]     mult_1;
    reg  [5:0]      shift_1;
    reg             valid_1;
    genvar ch;
    generate
        for (ch = 0; ch < C; ch = ch + 1) begin : sums
            reg signed [SB-1:0] s;
            reg signed [8:0]    d;
            integer t;
            always @* begin
                s = {SB{1'b0}};
                for (t = 0; t < TAPS; t = t + 1) begin
                    d = $signed({win_data[8*(t*C + ch) + 7], win_data[8*(t*C + ch) +: 8]}) - X_ZP9;
                    if (PAD == 0 || (row_ok[t / K] && col_ok[t % K])) s = s + {{(SB - 9){d[8]}}, d};
                end
            end
            always @(posedge clk) if (en) sum_1[SB*ch +: SB] <= s;
        end
    endgenerate
    always @(posedge clk) if (en) begin
        mult_1  <= MULT[31*count_index +: 31];
        shift_1 <= SHIFT[6*count_index +: 6];
    end
    always @(posedge clk) if (rst) valid_1 <= 1'b0; else if (en) valid_1 <= win_valid;

    // Stages 2-3: one requantizer per channel, all reading the window's multiplier.
    /* verilator lint_off UNUSEDSIGNAL */
    wire [C-1:0] valid_3;  // the same for every channel: channel 0's is used
    /* verilator lint_on UNUSEDSIGNAL */
    genvar k;
    generate
        for (k = 0; k < C; k = k + 1) begin : channel
            ep_requant #(.ACC_BITS(SB), .MULT_BITS(31)) requant (
                .clk(clk), .rst(rst), .en(en),
                .in_valid(valid_1),
                .acc(sum_1[SB*k +: SB]),
                .multiplier(mult_1),
                .shift(shift_1),
                .zero_point(Y_ZP[7:0]),
                .act_min(ACT_MIN[7:0]),
                .act_max(ACT_MAX[7:0]),
                .out_valid(valid_3[k]),
                .out(out_data[8*k +: 8])
            );
        end
    endgenerate
    assign out_valid = valid_3[0];
endmodule
