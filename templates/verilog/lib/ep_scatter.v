// ep_scatter: one vector beat of N pixels of C int8 channels, in the flat NCHW order of the model's input tensor (byte
// c*N + p = channel c of pixel p), sent on as N pixel beats in raster order (channel c at [8*c +: 8]): the input of a
// CNN core, whose external interface (and the UART board top's) moves one vector per beat.
//
// Stream interface (AXI-Stream style): pixel 0 is valid 1 cycle after the vector is taken, pixel p p cycles later
// when nothing stalls; the next vector is taken in the cycle the last pixel is (in_ready = !out_valid || (out_ready
// && last pixel)), so back-to-back vectors give one pixel per cycle without a gap (N cycles per vector). The vector
// is stored in pixel-major order at load (wiring only) and shifted out 8*C bits a pixel: no read multiplexer. rst
// (synchronous) clears the valid bit and the pixel count.

module ep_scatter #(
    parameter integer N = 1,
    parameter integer C = 1
) (
    input  wire                clk,
    input  wire                rst,
    input  wire                in_valid,
    output wire                in_ready,
    input  wire [8*C*N-1:0]    in_data,
    output reg                 out_valid,
    input  wire                out_ready,
    output wire [8*C-1:0]      out_data
);
    localparam integer CW = $clog2(N + 1);

    reg  [8*C*N-1:0] pixels;  // pixel-major: pixel p (of those left) at [8*C*p +: 8*C]
    wire [8*C*N-1:0] loaded;  // in_data reordered channel-major → pixel-major
    reg  [CW-1:0]    count;   // the pixel offered
    wire last = count == N[CW-1:0] - 1'b1;
    wire take_in = in_valid && in_ready;
    wire take_out = out_valid && out_ready;

    assign in_ready = !out_valid || (out_ready && last);
    assign out_data = pixels[8*C-1:0];

    genvar p, c;
    generate
        for (p = 0; p < N; p = p + 1) begin : pixel
            for (c = 0; c < C; c = c + 1) begin : channel
                assign loaded[8*(p*C + c) +: 8] = in_data[8*(c*N + p) +: 8];
            end
        end
        if (N == 1) begin : one
            always @(posedge clk) if (take_in) pixels <= loaded;
        end else begin : many
            always @(posedge clk) begin
                if (take_in) pixels <= loaded;
                else if (take_out) pixels <= {{8*C{1'b0}}, pixels[8*C*N-1:8*C]};
            end
        end
    endgenerate

    always @(posedge clk) begin
        if (rst) begin
            out_valid <= 1'b0;
            count <= {CW{1'b0}};
        end else if (take_in) begin
            out_valid <= 1'b1;
            count <= {CW{1'b0}};
        end else if (take_out) begin
            if (last) out_valid <= 1'b0;
            else count <= count + 1'b1;
        end
    end
endmodule
