// ep_window_stream: the line buffer and KxK sliding window of the streaming spatial layers (ep_conv_stream.v,
// ep_maxpool_stream.v). It takes an H x W image of C int8 channels one pixel per beat in raster order (NHWC
// streaming: channel c at [8*c +: 8]) and presents, one window per output position in raster order, the K x K
// pixels an output (r, c) reads: input rows r*STRIDE - PAD + kr, columns c*STRIDE - PAD + kc (kr, kc in 0..K-1).
//
// Storage: one shift register of (K-1)*W + K pixels (K-1 image rows plus the window), moved by one pixel per step;
// tap (kr, kc) is element (K-1-kr)*W + (K-1-kc). A tap outside the image (padding, or a pixel of the wrong row or
// frame that the shift register holds there) is flagged by row_ok[kr] / col_ok[kc] low: the consumer substitutes its
// padding value (the input zero point for a conv, "never wins" for a max pool).
//
// Schedule: step s of a frame shifts in its pixel s (s < H*W) or, past the frame's last pixel, a flush step (a
// bubble without input, or the next frame's first pixels: frames stream back to back). Output (r, c) is presented
// after step
//     t(r, c) = (r*STRIDE - PAD + K - 1)*W + c*STRIDE - PAD + K - 1
// (a step past H*W - 1 when the window hangs over the bottom or right border: those are the flush steps). The frame
// takes max(H*W - 1, t_last) + 1 steps. Flush bubbles are inserted only while no pixel of the next frame has been
// taken; once one is, its pixels drive the flush (at most PAD*W + PAD steps, no more than the next frame takes
// before its own first output), so a producer that pauses inside the next frame also delays this one's last outputs.
// So without stalls or input gaps, output (r, c) of a frame is presented t(r, c) + 1 cycles after its first pixel.
//
// en low holds everything (the stall of the consumer's pipeline); in_ready = en: a pixel is taken on every enabled
// cycle it is offered. rst (synchronous) clears the valid bit and the step counters (the frame position).
// Limits (checked at elaboration): W >= K, 2*PAD <= K - 1, STRIDE >= 1, H + 2*PAD >= K.

module ep_window_stream #(
    parameter integer H = 1,
    parameter integer W = 1,
    parameter integer C = 1,
    parameter integer K = 1,
    parameter integer PAD = 0,
    parameter integer STRIDE = 1
) (
    input  wire                 clk,
    input  wire                 rst,
    input  wire                 en,
    input  wire                 in_valid,
    output wire                 in_ready,
    input  wire [8*C-1:0]       in_data,
    // The window of the output presented: tap (kr, kc), channel ch at [8*((kr*K + kc)*C + ch) +: 8].
    output reg                  win_valid,
    output wire [8*C*K*K-1:0]   win_data,
    output reg  [K-1:0]         row_ok,
    output reg  [K-1:0]         col_ok
);
    localparam integer H_OUT = (H + 2*PAD - K) / STRIDE + 1;
    localparam integer W_OUT = (W + 2*PAD - K) / STRIDE + 1;
    localparam integer N_IN = H * W;
    // Steps of the first and last output, the step distance from a row's last output to the next row's first.
    localparam integer T_FIRST = (K - 1 - PAD) * W + K - 1 - PAD;
    localparam integer T_LAST = ((H_OUT - 1) * STRIDE - PAD + K - 1) * W + (W_OUT - 1) * STRIDE - PAD + K - 1;
    localparam integer ROW_JUMP = STRIDE * W - (W_OUT - 1) * STRIDE;
    localparam integer LAST_STEP = T_LAST > N_IN - 1 ? T_LAST : N_IN - 1;
    localparam integer CHAIN = (K - 1) * W + K;
    // Counter widths: steps up to LAST_STEP + ROW_JUMP; window origins from -PAD to H - 1 (signed).
    localparam integer SW = $clog2(LAST_STEP + ROW_JUMP + STRIDE + 2);
    localparam integer PW = $clog2((H > W ? H : W) + STRIDE + K + 2) + 1;
    localparam integer START = -PAD;
    localparam integer COL_LAST = (W_OUT - 1) * STRIDE - PAD;

    generate
        if (K < 1 || STRIDE < 1 || PAD < 0) begin : bad_geometry
            $error("ep_window_stream: K and STRIDE must be at least 1, PAD at least 0");
        end
        if (W < K) begin : bad_width
            $error("ep_window_stream: the image width W is less than the kernel K (the line buffer needs W >= K)");
        end
        if (2 * PAD > K - 1) begin : bad_pad
            $error("ep_window_stream: PAD is more than (K-1)/2 (symmetric padding up to 'same' only)");
        end
        if (H + 2 * PAD < K) begin : bad_height
            $error("ep_window_stream: the padded image height H + 2*PAD is less than the kernel K");
        end
    endgenerate

    assign in_ready = en;

    reg [SW-1:0] step;       // step index within the frame being presented
    reg [SW-1:0] early;      // pixels of the next frame already taken while this one flushes
    reg [SW-1:0] next_t;     // step of the next output
    reg signed [PW-1:0] row0, col0;   // top-left input position of the next output's window

    wire flushing = step >= N_IN[SW-1:0];
    wire bubble = flushing && early == {SW{1'b0}} && !in_valid;
    wire advance = en && (in_valid || bubble);
    wire emit = step == next_t;
    wire last = step == LAST_STEP[SW-1:0];

    reg [8*C*CHAIN-1:0] chain;
    generate
        if (CHAIN == 1) begin : pointwise
            always @(posedge clk) if (advance) chain <= in_data;
        end else begin : shift
            always @(posedge clk) if (advance) chain <= {chain[8*C*(CHAIN-1)-1:0], in_data};
        end
    endgenerate

    genvar kr, kc;
    generate
        for (kr = 0; kr < K; kr = kr + 1) begin : tap_row
            for (kc = 0; kc < K; kc = kc + 1) begin : tap_col
                assign win_data[8*C*(kr*K + kc) +: 8*C] = chain[8*C*((K - 1 - kr)*W + K - 1 - kc) +: 8*C];
            end
        end
    endgenerate

    always @(posedge clk) if (rst) win_valid <= 1'b0; else if (en) win_valid <= advance && emit;

    // Tap k of the window is inside the image when origin + k is in [0, size): origin in [-k, size - k).
    genvar k;
    generate
        for (k = 0; k < K; k = k + 1) begin : tap_inside
            localparam integer LOW = -k;
            localparam integer ROW_END = H - k;
            localparam integer COL_END = W - k;
            always @(posedge clk) if (advance && emit) begin
                row_ok[k] <= row0 >= $signed(LOW[PW-1:0]) && row0 < $signed(ROW_END[PW-1:0]);
                col_ok[k] <= col0 >= $signed(LOW[PW-1:0]) && col0 < $signed(COL_END[PW-1:0]);
            end
        end
    endgenerate

    always @(posedge clk) begin
        if (rst) begin
            step   <= {SW{1'b0}};
            early  <= {SW{1'b0}};
            next_t <= T_FIRST[SW-1:0];
            row0   <= START[PW-1:0];
            col0   <= START[PW-1:0];
        end else if (advance) begin
            if (last) begin
                // The frame is done; the next one has taken `early` pixels, one more if this step took its pixel.
                step   <= flushing && in_valid ? early + 1'b1 : early;
                early  <= {SW{1'b0}};
                next_t <= T_FIRST[SW-1:0];
                row0   <= START[PW-1:0];
                col0   <= START[PW-1:0];
            end else begin
                step <= step + 1'b1;
                if (flushing && in_valid) early <= early + 1'b1;
                if (emit) begin
                    if (col0 == $signed(COL_LAST[PW-1:0])) begin
                        col0   <= START[PW-1:0];
                        row0   <= row0 + $signed(STRIDE[PW-1:0]);
                        next_t <= next_t + ROW_JUMP[SW-1:0];
                    end else begin
                        col0   <= col0 + $signed(STRIDE[PW-1:0]);
                        next_t <= next_t + STRIDE[SW-1:0];
                    end
                end
            end
        end
    end
endmodule
