// ep_uart_tx: UART transmitter, 8N1 (a start bit 0, 8 data bits LSB first, a stop bit 1), idle high, each bit
// CLKS_PER_BIT clocks (clock / baud rate). A valid/ready input: a byte is taken when in_valid && in_ready, and the
// next one is taken in the last cycle of the stop bit, so that bytes given back to back leave with no idle time
// between them (10 * CLKS_PER_BIT clocks a byte).

module ep_uart_tx #(
    parameter integer CLKS_PER_BIT = 104
) (
    input  wire       clk,
    input  wire       rst,
    input  wire       in_valid,
    output wire       in_ready,
    input  wire [7:0] in_data,
    output wire       tx
);
    localparam integer CW = $clog2(CLKS_PER_BIT);
    localparam integer FULL_I = CLKS_PER_BIT - 1;
    localparam [CW-1:0] FULL = FULL_I[CW-1:0];

    reg           busy;
    reg           line;
    reg  [CW-1:0] count;
    // bits still to send after the current one (9 during the start bit, 0 during the stop bit)
    reg  [3:0]    left;
    // the data bits still to send, then the stop bit's 1s
    reg  [7:0]    shift;

    wire last_cycle = count == {CW{1'b0}} && left == 4'd0;
    assign in_ready = !busy || last_cycle;
    assign tx = line;

    always @(posedge clk) begin
        if (rst) begin
            busy <= 1'b0;
            line <= 1'b1;
        end else if (in_valid && in_ready) begin
            busy <= 1'b1;
            line <= 1'b0;
            shift <= in_data;
            left <= 4'd9;
            count <= FULL;
        end else if (busy) begin
            if (count != {CW{1'b0}}) begin
                count <= count - 1'b1;
            end else if (left == 4'd0) begin
                busy <= 1'b0;
            end else begin
                line <= shift[0];
                shift <= {1'b1, shift[7:1]};
                left <= left - 1'b1;
                count <= FULL;
            end
        end
    end
endmodule
