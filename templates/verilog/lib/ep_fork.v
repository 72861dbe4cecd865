// ep_fork: one stream into two (the fork of a residual block: the skip path and the main path read the same pixels).
// Each output offers every input beat once; the input beat is taken when both outputs have taken it, in the same
// cycle or one after the other (a flag per output remembers that it took the beat already), so a slow consumer does
// not make the other one see a beat twice. Valid never depends on the same output's ready (AXI-Stream); no latency:
// a beat is offered on both outputs in the cycle it arrives.

module ep_fork #(
    parameter integer BYTES = 1
) (
    input  wire               clk,
    input  wire               rst,
    input  wire               in_valid,
    output wire               in_ready,
    input  wire [8*BYTES-1:0] in_data,
    output wire               a_valid,
    input  wire               a_ready,
    output wire [8*BYTES-1:0] a_data,
    output wire               b_valid,
    input  wire               b_ready,
    output wire [8*BYTES-1:0] b_data
);
    reg  a_took, b_took;   // the output took the current input beat already
    wire a_done = a_took || a_ready;
    wire b_done = b_took || b_ready;

    assign a_valid = in_valid && !a_took;
    assign b_valid = in_valid && !b_took;
    assign a_data = in_data;
    assign b_data = in_data;
    assign in_ready = a_done && b_done;

    always @(posedge clk) begin
        if (rst || (in_valid && in_ready)) begin
            a_took <= 1'b0;
            b_took <= 1'b0;
        end else begin
            if (a_valid && a_ready) a_took <= 1'b1;
            if (b_valid && b_ready) b_took <= 1'b1;
        end
    end
endmodule
