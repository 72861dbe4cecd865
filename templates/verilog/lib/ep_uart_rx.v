// ep_uart_rx: UART receiver, 8 data bits, no parity, 1 stop bit (8N1), LSB first, idle high. The line goes through a
// two-flip-flop synchronizer; a falling edge starts a byte, every bit is sampled once in its middle
// (CLKS_PER_BIT = clock / baud rate, at least 4). A byte whose stop bit reads 0 (framing error, or a break) is
// dropped. out_valid is high for one cycle per byte with out_data; there is no backpressure (the next byte can end
// 10 * CLKS_PER_BIT cycles later): the consumer takes it or loses it.

module ep_uart_rx #(
    parameter integer CLKS_PER_BIT = 104
) (
    input  wire       clk,
    input  wire       rst,
    input  wire       rx,
    output reg        out_valid,
    output reg  [7:0] out_data
);
    localparam integer CW = $clog2(CLKS_PER_BIT);
    localparam integer FULL_I = CLKS_PER_BIT - 1;
    localparam integer HALF_I = CLKS_PER_BIT / 2 - 1;
    localparam [CW-1:0] FULL = FULL_I[CW-1:0];
    localparam [CW-1:0] HALF = HALF_I[CW-1:0];

    reg  [1:0]    sync;
    wire          line = sync[1];
    reg           busy;
    reg  [CW-1:0] count;
    // 0: the start bit, 1..8: data bits, 9: the stop bit
    reg  [3:0]    bit_n;
    reg  [7:0]    shift;

    always @(posedge clk) begin
        sync <= {sync[0], rx};
        out_valid <= 1'b0;
        if (rst) begin
            sync <= 2'b11;
            busy <= 1'b0;
        end else if (!busy) begin
            if (!line) begin
                // A falling edge: the middle of the start bit is half a bit away.
                busy <= 1'b1;
                count <= HALF;
                bit_n <= 4'd0;
            end
        end else if (count != {CW{1'b0}}) begin
            count <= count - 1'b1;
        end else begin
            count <= FULL;
            if (bit_n == 4'd0) begin
                if (line) busy <= 1'b0; // a glitch, not a start bit
                else bit_n <= 4'd1;
            end else if (bit_n != 4'd9) begin
                shift <= {line, shift[7:1]};
                bit_n <= bit_n + 1'b1;
            end else begin
                // The middle of the stop bit: ready for the next start bit's edge.
                busy <= 1'b0;
                if (line) begin
                    out_valid <= 1'b1;
                    out_data <= shift;
                end
            end
        end
    end
endmodule
