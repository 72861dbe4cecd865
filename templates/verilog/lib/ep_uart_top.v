// ep_uart_top: the top level for a real board: a model core with the stream interface behind a UART that speaks the
// MCU harness's line protocol (hw-sim/firmware/harness.c, protocol v1), so that the host's protocol client
// (hw-sim/protocol/client.ts) drives an FPGA board as it drives an MCU. The subset `verify` needs, with the same wire
// format and the same error replies as the harness:
//   P <nonce>     -> @EP PONG <nonce> 1
//   D             -> @EP DESC 1 fpga -
//                    @EP MODEL 0 <NAME> 1 1 <IN_BYTES> <OUT_BYTES>
//   R 0 <hex>     -> @EP OUT 0 <hex>
//                    @EP RUN 0 <cycles> - -
//   X <code>      -> @EP BYE <code>   (and the design keeps serving: there is no program to end)
//   anything else -> @EP ERR <reason>  (F, host files, is not supported on a board: "unsupported command")
// The counter is "fpga": <cycles> counts clock cycles from the input beat's transfer to the output beat's (0 when the
// same cycle), by a 32-bit counter here. Numbers are parsed and printed as the harness does (decimal, a nonce or a
// code up to 4294967289); hex input may be upper or lower case, output is lower case.
//
// The core is the module named by the macro EP_CORE (default ep_core: define it to the model's top module), with
// ports clk, rst, in_valid, in_ready, in_data[8*IN_BYTES-1:0], out_valid, out_ready, out_data[8*OUT_BYTES-1:0];
// one input beat is the whole input vector (byte i at [8*i +: 8]), one output beat the whole output.
// Received bytes wait in a FIFO_DEPTH-byte FIFO while a reply is sent (a host may send a ping before the last one's
// answer); the line is dropped when it overflows. Reset: a power-on reset of 8 cycles (initial values).
`ifndef EP_CORE
`define EP_CORE ep_core
`endif

module ep_uart_top #(
    parameter integer IN_BYTES = 1,
    parameter integer OUT_BYTES = 1,
    // clock / baud rate (12 MHz / 115200 = 104)
    parameter integer CLKS_PER_BIT = 104,
    // the model's name in the DESC reply: a token (letters, digits, '_', '-', '.')
    parameter integer NAME_LEN = 5,
    parameter [8*NAME_LEN-1:0] NAME = "model",
    // a power of two
    parameter integer FIFO_DEPTH = 16
) (
    input  wire clk,
    input  wire uart_rx,
    output wire uart_tx
);
    // ---- power-on reset ----
    reg [3:0] por = 4'd0;
    wire rst = !por[3];
    always @(posedge clk) if (!por[3]) por <= por + 1'b1;

    // ---- receiver and FIFO ----
    localparam integer AW = $clog2(FIFO_DEPTH);
    localparam integer FIFO_DEPTH_I = FIFO_DEPTH;
    wire       rx_valid;
    wire [7:0] rx_data;
    ep_uart_rx #(.CLKS_PER_BIT(CLKS_PER_BIT)) receiver (.clk(clk), .rst(rst), .rx(uart_rx), .out_valid(rx_valid), .out_data(rx_data));

    reg  [7:0] fifo [0:FIFO_DEPTH-1];
    reg  [AW:0] wr_at, rd_at;
    wire       fifo_empty = wr_at == rd_at;
    wire [AW:0] fifo_used = wr_at - rd_at;
    wire       fifo_full = fifo_used == FIFO_DEPTH_I[AW:0];
    wire       push = rx_valid && !fifo_full;
    always @(posedge clk) if (push) fifo[wr_at[AW-1:0]] <= rx_data;
    always @(posedge clk) if (rst) wr_at <= {(AW+1){1'b0}}; else if (push) wr_at <= wr_at + 1'b1;

    // The FIFO's head, read into a register (a block RAM's synchronous read): the byte the parser looks at.
    reg  [7:0] c;
    reg        head_valid;
    reg        consume;
    wire       fetch = !head_valid && !fifo_empty;
    always @(posedge clk) if (fetch) c <= fifo[rd_at[AW-1:0]];
    always @(posedge clk) if (rst) head_valid <= 1'b0; else if (fetch) head_valid <= 1'b1; else if (consume) head_valid <= 1'b0;
    always @(posedge clk) if (rst) rd_at <= {(AW+1){1'b0}}; else if (fetch) rd_at <= rd_at + 1'b1;
    wire is_blank = c == 8'h20 || c == 8'h09 || c == 8'h0d;
    wire is_space_tab = c == 8'h20 || c == 8'h09;
    wire is_nl = c == 8'h0a;
    // Character classes by bit tests (no comparator after the RAM): '0'-'9' are 0x30-0x39, 'a'-'f' 0x61-0x66, 'A'-'F' 0x41-0x46.
    wire low_is_0_to_9 = !c[3] || c[2:1] == 2'b00;
    wire low_is_1_to_6 = !c[3] && c[2:0] != 3'd0 && c[2:0] != 3'd7;
    wire is_digit = c[7:4] == 4'h3 && low_is_0_to_9;
    wire is_lower_hex = c[7:4] == 4'h6 && low_is_1_to_6;
    wire is_upper_hex = c[7:4] == 4'h4 && low_is_1_to_6;
    wire is_hex = is_digit || is_lower_hex || is_upper_hex;
    wire [3:0] digit = c[3:0];
    wire [3:0] hex_nibble = is_digit ? c[3:0] : c[3:0] + 4'd9;

    // ---- replies: each a string of the ROM below, with codes for the parts that vary ----
    localparam [3:0] M_PONG = 4'd0, M_DESC = 4'd1, M_RUN = 4'd2, M_BYE = 4'd3,
                     M_USAGE_P = 4'd4, M_USAGE_D = 4'd5, M_USAGE_R = 4'd6, M_NO_MODEL = 4'd7, M_BAD_INPUT = 4'd8,
                     M_MORE_INPUTS = 4'd9, M_USAGE_X = 4'd10, M_UNKNOWN = 4'd11, M_UNSUPPORTED = 4'd12;
    // Codes in_reply a reply: the parsed number, IN_BYTES, OUT_BYTES and the cycles in decimal; the name; the output in hex.
    localparam [7:0] K_NUMBER = 8'd1, K_IN_BYTES = 8'd2, K_OUT_BYTES = 8'd3, K_CYCLES = 8'd4, K_NAME = 8'd5, K_HEX = 8'd6;
    // The replies, one after the other, each ended by a zero byte: a ROM of ROM_BYTES bytes (one block RAM), the
    // string right-aligned (zero bytes first), so that the address of a reply's first character is the highest of
    // its bytes and reading it goes down the addresses. The order is the M_* ids'.
    localparam integer ROM_BYTES = 512;
    /* verilator lint_off WIDTH */
    localparam [8*ROM_BYTES-1:0] REPLIES = {
        "@EP PONG ", K_NUMBER, " 1\n", 8'd0,
        "@EP DESC 1 fpga -\n@EP MODEL 0 ", K_NAME, " 1 1 ", K_IN_BYTES, " ", K_OUT_BYTES, "\n", 8'd0,
        "@EP OUT 0 ", K_HEX, "\n@EP RUN 0 ", K_CYCLES, " - -\n", 8'd0,
        "@EP BYE ", K_NUMBER, "\n", 8'd0,
        "@EP ERR usage: P <nonce>\n", 8'd0,
        "@EP ERR usage: D\n", 8'd0,
        "@EP ERR usage: R <model> <hex>...\n", 8'd0,
        "@EP ERR no such model\n", 8'd0,
        "@EP ERR bad input: expected one hex string of input_bytes*2 digits per input\n", 8'd0,
        "@EP ERR bad input: more inputs than the model has\n", 8'd0,
        "@EP ERR usage: X <code>\n", 8'd0,
        "@EP ERR unknown command\n", 8'd0,
        "@EP ERR unsupported command\n", 8'd0
    };
    /* verilator lint_on WIDTH */

    // The address of reply k's first character (elaboration time).
    function [8:0] reply_start_of(input integer k);
        integer a, n;
        reg in_reply;
        begin
            reply_start_of = 9'd0;
            n = 0;
            in_reply = 1'b0;
            for (a = ROM_BYTES - 1; a >= 0; a = a - 1) begin
                if (REPLIES[8*a +: 8] != 8'd0) begin
                    if (!in_reply && n == k) reply_start_of = a[8:0];
                    in_reply = 1'b1;
                end else if (in_reply) begin
                    in_reply = 1'b0;
                    n = n + 1;
                end
            end
        end
    endfunction
    localparam [9*13-1:0] REPLY_STARTS = {
        reply_start_of(12), reply_start_of(11), reply_start_of(10), reply_start_of(9), reply_start_of(8), reply_start_of(7),
        reply_start_of(6), reply_start_of(5), reply_start_of(4), reply_start_of(3), reply_start_of(2), reply_start_of(1),
        reply_start_of(0)
    };

    reg [7:0] rom [0:ROM_BYTES-1];
    integer rom_i;
    initial for (rom_i = 0; rom_i < ROM_BYTES; rom_i = rom_i + 1) rom[rom_i] = REPLIES[8*rom_i +: 8];

    function [31:0] pow10(input [3:0] k);
        case (k)
            4'd0: pow10 = 32'd1;
            4'd1: pow10 = 32'd10;
            4'd2: pow10 = 32'd100;
            4'd3: pow10 = 32'd1000;
            4'd4: pow10 = 32'd10000;
            4'd5: pow10 = 32'd100000;
            4'd6: pow10 = 32'd1000000;
            4'd7: pow10 = 32'd10000000;
            4'd8: pow10 = 32'd100000000;
            default: pow10 = 32'd1000000000;
        endcase
    endfunction

    // ---- the command parser (one received byte a cycle) ----
    localparam [3:0] P_CMD = 4'd0, P_NUM = 4'd1, P_DIGITS = 4'd2, P_EOL = 4'd3, P_R_SEP = 4'd4, P_R_BLANKS = 4'd5,
                     P_R_HEX = 4'd6, P_SKIP = 4'd7, P_RUN = 4'd8, P_WAIT = 4'd9, P_REPLY = 4'd10,
                     // a digit taken in three steps (short paths): number * 10, + the digit, the overflow check
                     P_DIGIT_ADD = 4'd11, P_DIGIT_CHECK = 4'd12;
    localparam [1:0] C_P = 2'd0, C_D = 2'd1, C_R = 2'd2, C_X = 2'd3;
    localparam integer HEX_DIGITS_I = 2 * IN_BYTES;
    localparam integer HW = $clog2(HEX_DIGITS_I + 1);
    localparam [HW-1:0] HEX_DIGITS = HEX_DIGITS_I[HW-1:0];
    localparam integer IN_BYTES_I = IN_BYTES;
    localparam integer OUT_BYTES_I = OUT_BYTES;

    reg  [3:0]  state;
    reg  [1:0]  cmd;
    reg  [3:0]  message;
    reg  [31:0] number;
    reg  [3:0]  digit_held;
    // number > 429496728: one more digit would overflow 32 bits (harness.c read_uint refuses it)
    reg         too_big;
    reg  [HW-1:0] hex_count;
    reg  [3:0]  high_nibble;
    // The input vector, byte j at [8*j + 8 +: 8] once all have arrived (the lowest byte is a spare).
    /* verilator lint_off UNUSEDSIGNAL */
    reg  [8*IN_BYTES+7:0] in_buffer;
    /* verilator lint_on UNUSEDSIGNAL */
    reg  [31:0] cycles_run;
    reg  [31:0] cycles;
    reg  [8*OUT_BYTES-1:0] out_buffer;
    reg         reply_start;
    wire        reply_done;

    wire parsing = state <= P_SKIP;
    wire have = parsing && head_valid;

    function [3:0] usage_of(input [1:0] k);
        case (k)
            C_P: usage_of = M_USAGE_P;
            C_D: usage_of = M_USAGE_D;
            C_R: usage_of = M_USAGE_R;
            default: usage_of = M_USAGE_X;
        endcase
    endfunction

    // The core's stream.
    wire                   core_in_ready;
    wire                   core_out_valid;
    wire [8*OUT_BYTES-1:0] core_out_data;
    wire core_in_valid = state == P_RUN;
    wire core_out_ready = state == P_RUN || state == P_WAIT;
    wire accepted = core_in_valid && core_in_ready;
    wire taken = core_out_valid && core_out_ready && (state == P_WAIT || accepted);

    `EP_CORE core (
        .clk(clk), .rst(rst),
        .in_valid(core_in_valid), .in_ready(core_in_ready), .in_data(in_buffer[8*IN_BYTES+7:8]),
        .out_valid(core_out_valid), .out_ready(core_out_ready), .out_data(core_out_data)
    );

    always @(*) begin
        consume = 1'b0;
        if (have) begin
            case (state)
                P_CMD, P_SKIP: consume = 1'b1;
                P_NUM: consume = is_blank || is_digit;
                P_DIGITS: consume = is_digit && !too_big;
                P_EOL: consume = is_blank || is_nl;
                P_R_SEP: consume = is_space_tab;
                P_R_BLANKS: consume = is_blank;
                P_R_HEX: consume = is_hex && hex_count != HEX_DIGITS;
                default: consume = 1'b0;
            endcase
        end
    end

    always @(posedge clk) begin
        reply_start <= 1'b0;
        if (rst) begin
            state <= P_CMD;
        end else if (have) begin
            case (state)
                P_CMD:
                    if (!is_blank && !is_nl) begin
                        case (c)
                            "P": begin cmd <= C_P; state <= P_NUM; end
                            "D": begin cmd <= C_D; state <= P_EOL; end
                            "R": begin cmd <= C_R; state <= P_NUM; end
                            "X": begin cmd <= C_X; state <= P_NUM; end
                            "F": begin message <= M_UNSUPPORTED; state <= P_SKIP; end
                            default: begin message <= M_UNKNOWN; state <= P_SKIP; end
                        endcase
                    end
                P_NUM:
                    if (is_digit) begin
                        number <= {28'd0, digit};
                        too_big <= 1'b0;
                        state <= P_DIGITS;
                    end else if (!is_blank) begin
                        message <= usage_of(cmd);
                        state <= P_SKIP;
                    end
                P_DIGITS:
                    if (is_digit) begin
                        if (too_big) begin
                            message <= usage_of(cmd);
                            state <= P_SKIP;
                        end else begin
                            number <= (number << 3) + (number << 1);
                            digit_held <= digit;
                            state <= P_DIGIT_ADD;
                        end
                    end else if (cmd == C_R) begin
                        if (number != 32'd0) begin
                            message <= M_NO_MODEL;
                            state <= P_SKIP;
                        end else begin
                            state <= P_R_SEP;
                        end
                    end else begin
                        state <= P_EOL;
                    end
                P_EOL:
                    if (is_nl) begin
                        case (cmd)
                            C_P: begin message <= M_PONG; reply_start <= 1'b1; state <= P_REPLY; end
                            C_D: begin message <= M_DESC; reply_start <= 1'b1; state <= P_REPLY; end
                            C_X: begin message <= M_BYE; reply_start <= 1'b1; state <= P_REPLY; end
                            default: state <= P_RUN;
                        endcase
                    end else if (!is_blank) begin
                        message <= cmd == C_R ? M_MORE_INPUTS : usage_of(cmd);
                        state <= P_SKIP;
                    end
                P_R_SEP:
                    if (is_space_tab) begin
                        hex_count <= {HW{1'b0}};
                        state <= P_R_BLANKS;
                    end else begin
                        message <= M_BAD_INPUT;
                        state <= P_SKIP;
                    end
                P_R_BLANKS:
                    if (!is_blank) state <= P_R_HEX;
                P_R_HEX:
                    if (is_hex && hex_count != HEX_DIGITS) begin
                        hex_count <= hex_count + 1'b1;
                        if (!hex_count[0]) high_nibble <= hex_nibble;
                        else in_buffer <= {high_nibble, hex_nibble, in_buffer[8*IN_BYTES+7:8]};
                    end else if (hex_count == HEX_DIGITS && (is_blank || is_nl)) begin
                        state <= P_EOL;
                    end else begin
                        message <= M_BAD_INPUT;
                        state <= P_SKIP;
                    end
                P_SKIP:
                    if (is_nl) begin
                        reply_start <= 1'b1;
                        state <= P_REPLY;
                    end
                default: ;
            endcase
        end else if (state == P_DIGIT_ADD) begin
            number <= number + {28'd0, digit_held};
            state <= P_DIGIT_CHECK;
        end else if (state == P_DIGIT_CHECK) begin
            too_big <= number > 32'd429496728;
            state <= P_DIGITS;
        end else if (state == P_RUN || state == P_WAIT) begin
            // The run: the input beat, then the output beat, counting the cycles between them.
            if (taken) begin
                cycles <= accepted ? 32'd0 : cycles_run;
                message <= M_RUN;
                reply_start <= 1'b1;
                state <= P_REPLY;
            end else if (accepted) begin
                cycles_run <= 32'd1;
                state <= P_WAIT;
            end else if (state == P_WAIT) begin
                cycles_run <= cycles_run + 1'b1;
            end
        end else if (state == P_REPLY && reply_done) begin
            state <= P_CMD;
        end
    end

    // ---- the reply engine: walks the message's string, expanding the codes ----
    localparam [2:0] E_IDLE = 3'd0, E_SCAN = 3'd1, E_DECIMAL = 3'd2, E_NAME = 3'd3, E_HEX = 3'd4, E_FETCH = 3'd5,
                     E_COMPARE = 3'd6;
    localparam integer NW = NAME_LEN <= 1 ? 1 : $clog2(NAME_LEN);
    localparam integer NAME_LAST_I = NAME_LEN - 1;
    localparam integer OW = $clog2(2 * OUT_BYTES + 1);
    localparam integer OUT_DIGITS_I = 2 * OUT_BYTES;

    reg  [2:0]  engine;
    reg  [8:0]  at;
    // rom[at], read the cycle after `at` changes (E_FETCH): a block RAM's synchronous read.
    reg  [7:0]  ch;
    always @(posedge clk) ch <= rom[at];
    // Its class, by bit tests (no comparator on the path from the RAM): codes are 1 to 6, characters 8 and up.
    wire        ch_printable = ch[7:3] != 5'd0;
    wire        ch_decimal = ch[7:3] == 5'd0 && ch[2:0] != 3'd0 && (ch[2] == 1'b0 || ch[1:0] == 2'd0);
    reg  [31:0] value;
    reg  [3:0]  power;
    reg  [3:0]  tens;
    reg         started;
    reg  [NW-1:0] name_at;
    reg  [OW-1:0] hex_left;
    reg         done_pulse;
    assign reply_done = done_pulse;

    // The decimal digit being printed: value's place (10^power) and value < place, registered (E_COMPARE) for short paths.
    reg  [31:0] place;
    reg         below;
    wire [3:0]  out_nibble = hex_left[0] ? out_buffer[3:0] : out_buffer[7:4];
    wire [7:0]  hex_char = out_nibble < 4'd10 ? {4'h3, out_nibble} : {4'h6, out_nibble - 4'd9};
    wire        print_digit = tens != 4'd0 || started || power == 4'd0;

    reg         tx_valid;
    reg  [7:0]  tx_data;
    // One character register between the engine and the transmitter (short paths from the ROM to the line).
    reg         char_full;
    reg  [7:0]  char_out;
    wire        char_free = !char_full;
    wire        tx_ready;
    always @(posedge clk) begin
        if (rst) begin
            char_full <= 1'b0;
        end else if (tx_valid && char_free) begin
            char_full <= 1'b1;
            char_out <= tx_data;
        end else if (char_full && tx_ready) begin
            char_full <= 1'b0;
        end
    end
    always @(*) begin
        tx_valid = 1'b0;
        tx_data = ch;
        case (engine)
            E_SCAN: tx_valid = ch_printable;
            E_DECIMAL: begin
                tx_valid = below && print_digit;
                tx_data = {4'h3, tens};
            end
            E_NAME: begin
                tx_valid = 1'b1;
                tx_data = NAME[8*name_at +: 8];
            end
            E_HEX: begin
                tx_valid = 1'b1;
                tx_data = hex_char;
            end
            default: ;
        endcase
    end
    ep_uart_tx #(.CLKS_PER_BIT(CLKS_PER_BIT)) transmitter (.clk(clk), .rst(rst), .in_valid(char_full), .in_ready(tx_ready), .in_data(char_out), .tx(uart_tx));

    // After a code's expansion, or a character sent: fetch the next character.
    task next_char;
        begin
            engine <= E_FETCH;
            at <= at - 1'b1;
        end
    endtask

    always @(posedge clk) begin
        done_pulse <= 1'b0;
        if (taken) out_buffer <= core_out_data; // the engine is idle during a run
        if (rst) begin
            engine <= E_IDLE;
        end else begin
            case (engine)
                E_IDLE:
                    if (reply_start) begin
                        engine <= E_FETCH;
                        at <= REPLY_STARTS[9*message +: 9];
                    end
                E_FETCH: engine <= E_SCAN;
                E_SCAN:
                    if (ch == 8'd0) begin
                        engine <= E_IDLE;
                        done_pulse <= 1'b1;
                    end else if (ch_decimal) begin
                        value <= ch == K_NUMBER ? number : ch == K_IN_BYTES ? IN_BYTES_I : ch == K_OUT_BYTES ? OUT_BYTES_I : cycles;
                        power <= 4'd9;
                        place <= pow10(4'd9);
                        tens <= 4'd0;
                        started <= 1'b0;
                        engine <= E_COMPARE;
                    end else if (ch == K_NAME) begin
                        name_at <= NAME_LAST_I[NW-1:0];
                        engine <= E_NAME;
                    end else if (ch == K_HEX) begin
                        hex_left <= OUT_DIGITS_I[OW-1:0];
                        engine <= E_HEX;
                    end else if (char_free) begin
                        next_char;
                    end
                E_COMPARE: begin
                    below <= value < place;
                    engine <= E_DECIMAL;
                end
                E_DECIMAL:
                    if (!below) begin
                        value <= value - place;
                        tens <= tens + 1'b1;
                        engine <= E_COMPARE;
                    end else if (!print_digit || char_free) begin
                        started <= started || print_digit;
                        tens <= 4'd0;
                        if (power == 4'd0) begin
                            next_char;
                        end else begin
                            power <= power - 1'b1;
                            place <= pow10(power - 1'b1);
                            engine <= E_COMPARE;
                        end
                    end
                E_NAME:
                    if (char_free) begin
                        if (name_at == {NW{1'b0}}) next_char;
                        else name_at <= name_at - 1'b1;
                    end
                E_HEX:
                    if (char_free) begin
                        hex_left <= hex_left - 1'b1;
                        if (hex_left[0]) out_buffer <= out_buffer >> 8;
                        if (hex_left == {{(OW-1){1'b0}}, 1'b1}) next_char;
                    end
                default: engine <= E_IDLE;
            endcase
        end
    end

    // For the Verilator testbench (tb/ep_uart_top_tb.cpp): waiting for the next received byte, all sent.
    /* verilator lint_off UNUSEDSIGNAL */
    wire idle /* verilator public_flat_rd */ = parsing && fifo_empty && !head_valid && engine == E_IDLE && char_free && tx_ready;
    /* verilator lint_on UNUSEDSIGNAL */
endmodule
