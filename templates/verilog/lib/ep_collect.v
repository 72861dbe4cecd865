// ep_collect: N pixel beats of C int8 channels collected into one vector beat, the Flatten between the spatial
// layers (one pixel per beat, NHWC streaming) and a dense layer (one vector per beat). Byte order = stream order:
// pixel p (the p-th beat of the frame, raster order), channel c at byte p*C + c, i.e. [8*(p*C + c) +: 8]. That is
// NHWC order; an ONNX Flatten of an NCHW tensor orders the same values channel-major (c*N + p), so the emitter
// permutes the following dense layer's weight columns to this order (column p*C + c takes the NCHW column c*N + p).
//
// Stream interface (AXI-Stream style): the vector is valid 1 cycle after its last pixel is taken and held until taken;
// the first pixel of the next vector is taken in the same cycle the full vector is (in_ready = !out_valid ||
// out_ready), so back-to-back frames take N cycles each (II = N cycles per vector, one pixel per cycle). rst
// (synchronous) clears the valid bit and the pixel count. The pixels shift in from the top: no write decoder.

module ep_collect #(
    parameter integer N = 1,
    parameter integer C = 1
) (
    input  wire                clk,
    input  wire                rst,
    input  wire                in_valid,
    output wire                in_ready,
    input  wire [8*C-1:0]      in_data,
    output reg                 out_valid,
    input  wire                out_ready,
    output reg  [8*C*N-1:0]    out_data
);
    localparam integer CW = $clog2(N + 1);

    reg [CW-1:0] count;   // pixels of the vector being collected
    wire take = in_valid && in_ready;
    wire done = take && count == N[CW-1:0] - 1'b1;

    assign in_ready = !out_valid || out_ready;

    generate
        if (N == 1) begin : one
            always @(posedge clk) if (take) out_data <= in_data;
        end else begin : many
            always @(posedge clk) if (take) out_data <= {in_data, out_data[8*C*N-1:8*C]};
        end
    endgenerate

    always @(posedge clk) begin
        if (rst) begin
            out_valid <= 1'b0;
            count <= {CW{1'b0}};
        end else begin
            if (done) begin
                out_valid <= 1'b1;
                count <= {CW{1'b0}};
            end else begin
                if (out_ready) out_valid <= 1'b0;
                if (take) count <= count + 1'b1;
            end
        end
    end
endmodule
