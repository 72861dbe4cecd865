// The wrapper tb/ep_uart_tb.cpp drives: ep_uart_tx and ep_uart_rx side by side (not looped), CLKS_PER_BIT given by -G.
module ep_uart_pair_tb_top #(
    parameter integer CLKS_PER_BIT = 4
) (
    input  wire       clk,
    input  wire       rst,
    input  wire       tx_valid,
    output wire       tx_ready,
    input  wire [7:0] tx_data,
    output wire       tx,
    input  wire       rx,
    output wire       rx_valid,
    output wire [7:0] rx_data
);
    ep_uart_tx #(.CLKS_PER_BIT(CLKS_PER_BIT)) transmitter (
        .clk(clk), .rst(rst), .in_valid(tx_valid), .in_ready(tx_ready), .in_data(tx_data), .tx(tx)
    );
    ep_uart_rx #(.CLKS_PER_BIT(CLKS_PER_BIT)) receiver (
        .clk(clk), .rst(rst), .rx(rx), .out_valid(rx_valid), .out_data(rx_data)
    );
endmodule
