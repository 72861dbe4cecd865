// ep_fifo: a first-in first-out buffer of DEPTH beats of BYTES bytes on valid/ready streams: the skip path of a
// residual block, which must hold the pixels the main path has taken and not yet answered (the emitter sizes DEPTH
// from the schedule), so that the fork never waits on it. Stores in registers (a memory read in the same cycle);
// a beat written at edge t is offered from cycle t + 1; in_ready = not full, out_valid = not empty: a full FIFO
// takes a beat in the cycle its head is taken only in the next cycle (no combinational path from out_ready to
// in_ready).

module ep_fifo #(
    parameter integer BYTES = 1,
    parameter integer DEPTH = 2
) (
    input  wire               clk,
    input  wire               rst,
    input  wire               in_valid,
    output wire               in_ready,
    input  wire [8*BYTES-1:0] in_data,
    output wire               out_valid,
    input  wire               out_ready,
    output wire [8*BYTES-1:0] out_data
);
    localparam integer AW = DEPTH <= 2 ? 1 : $clog2(DEPTH);
    localparam integer CW = $clog2(DEPTH + 1);
    localparam integer LAST_I = DEPTH - 1;
    localparam [AW-1:0] LAST = LAST_I[AW-1:0];
    localparam [CW-1:0] FULL = DEPTH[CW-1:0];

    generate
        if (DEPTH < 1) begin : illegal
            ep_fifo_DEPTH_must_be_at_least_1 illegal_depth ();
        end
    endgenerate

    reg [8*BYTES-1:0] mem [0:DEPTH-1];
    reg [AW-1:0]      wr, rd;
    reg [CW-1:0]      count;
    wire push = in_valid && in_ready;
    wire pop  = out_valid && out_ready;

    assign in_ready  = count != FULL;
    assign out_valid = count != {CW{1'b0}};
    assign out_data  = mem[rd];

    always @(posedge clk) if (push) mem[wr] <= in_data;
    always @(posedge clk) begin
        if (rst) begin
            wr <= {AW{1'b0}};
            rd <= {AW{1'b0}};
            count <= {CW{1'b0}};
        end else begin
            if (push) wr <= wr == LAST ? {AW{1'b0}} : wr + 1'b1;
            if (pop) rd <= rd == LAST ? {AW{1'b0}} : rd + 1'b1;
            if (push && !pop) count <= count + 1'b1;
            else if (pop && !push) count <= count - 1'b1;
        end
    end
endmodule
