// ep_maxpool_stream: int8 max pooling on a pixel stream, the hardware form of MaxPool on int8 (src/ops/max-pool.ts):
//   y[r][c][ch] = max over kr, kc in 0..K-1 of x[r*STRIDE - PAD + kr][c*STRIDE - PAD + kc][ch]
// Padded taps never win (they read -128, which no pixel is below, and every window holds at least one pixel). The
// max of int8 values is exact and the quantized model keeps the input's scale and zero point through MaxPool, so
// there is no requantization.
//
// Stream interface (AXI-Stream style, NHWC streaming): one beat is one pixel with all C channels (channel ch at
// [8*ch +: 8]) in raster order, frames back to back; one output beat per output pixel, raster order. The line buffer
// and window are ep_window_stream.v. Each channel has a balanced tree of comparators over the K*K taps.
//
// Latency: output (r, c) of a frame is valid 2 cycles after the step t(r, c) = (r*STRIDE - PAD + K - 1)*W +
// c*STRIDE - PAD + K - 1 that completes its window (the window register, then the max into the output register):
// without stalls t(r, c) + 2 cycles after the frame's first pixel is taken; II = 1 pixel per cycle (a 2x2 stride 2
// pool takes H*W cycles per frame and emits H/2 * W/2 beats). Stalls hold every stage: in_ready = out_ready ||
// !out_valid. Floor mode only (ceil_mode 0), dilation 1. Limits (elaboration errors in ep_window_stream): W >= K,
// 2*PAD <= K - 1, STRIDE >= 1.

module ep_maxpool_stream #(
    parameter integer H = 2,
    parameter integer W = 2,
    parameter integer C = 1,
    parameter integer K = 2,
    parameter integer STRIDE = 2,
    parameter integer PAD = 0
) (
    input  wire              clk,
    input  wire              rst,
    input  wire              in_valid,
    output wire              in_ready,
    input  wire [8*C-1:0]    in_data,
    output reg               out_valid,
    input  wire              out_ready,
    output reg  [8*C-1:0]    out_data
);
    localparam integer TAPS = K * K;
    localparam integer LEAVES = TAPS <= 1 ? 1 : 1 << $clog2(TAPS);

    wire advance = out_ready || !out_valid;

    wire                 win_valid;
    wire [8*C*K*K-1:0]   win_data;
    // Without padding every tap is inside the image: the flags are not read.
    /* verilator lint_off UNUSEDSIGNAL */
    wire [K-1:0]         row_ok, col_ok;
    /* verilator lint_on UNUSEDSIGNAL */

    ep_window_stream #(.H(H), .W(W), .C(C), .K(K), .PAD(PAD), .STRIDE(STRIDE)) window (
        .clk(clk), .rst(rst), .en(advance),
        .in_valid(in_valid), .in_ready(in_ready), .in_data(in_data),
        .win_valid(win_valid), .win_data(win_data), .row_ok(row_ok), .col_ok(col_ok)
    );

    always @(posedge clk) if (rst) out_valid <= 1'b0; else if (advance) out_valid <= win_valid;

    genvar ch, k;
    generate
        for (ch = 0; ch < C; ch = ch + 1) begin : channel
            // Tree node k (1 = the root; LEAVES + i = tap i = kr*K + kc) is the wire node[k].v.
            for (k = 1; k < 2*LEAVES; k = k + 1) begin : node
                wire signed [7:0] v;
                if (k < LEAVES) begin : max
                    assign v = node[2*k].v > node[2*k + 1].v ? node[2*k].v : node[2*k + 1].v;
                end else if (k - LEAVES < TAPS && PAD == 0) begin : tap
                    assign v = win_data[8*((k - LEAVES)*C + ch) +: 8];
                end else if (k - LEAVES < TAPS) begin : padded_tap
                    assign v = row_ok[(k - LEAVES) / K] && col_ok[(k - LEAVES) % K] ? win_data[8*((k - LEAVES)*C + ch) +: 8] : 8'sh80;
                end else begin : none
                    assign v = 8'sh80;
                end
            end
            always @(posedge clk) if (advance) out_data[8*ch +: 8] <= node[1].v;
        end
    endgenerate
endmodule
