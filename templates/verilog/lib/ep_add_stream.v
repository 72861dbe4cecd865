// ep_add_stream: Int8Add of two pixel streams (src/ops/int8-add.ts, docs/numerics.md "int8", Add) in hardware, the join
// of a residual block: pixel p of stream a and pixel p of stream b, every channel at once, bit-exact with the
// interpreter:
//   a' = requantize((a - A_ZP) * 2^20, MA, SA),  b' = requantize((b - B_ZP) * 2^20, MB, SB)
//   y  = clamp(requantize(a' + b', MY, SY) + Y_ZP, ACT_MIN, ACT_MAX)
// requantize(x, M, s) = (x * M + 2^(s-1)) >> s (arithmetic). For x = d * 2^20 and s >= 21 that is exactly
// (d * M + 2^(s-21)) >> (s - 20): a 9-bit by 31-bit product, no 2^20 factor in hardware. The quantizer's input
// multipliers represent at most 0.5 (src/ops/util/int8-add-params.ts: scale / (2 * the larger scale)), so s >= 31; a
// shift below 21 stops elaboration. |a'|, |b'| <= 255 * 2^19, so a' + b' fits 29 bits and no int32 saturation is
// reached; the output requantizer is ep_requant (ACC_BITS 29, MULT_BITS 31).
//
// Streams (AXI-Stream style, the RTL contract of templates/verilog/lib/README.md): one beat = one pixel, channel c at
// [8*c +: 8], on both inputs and the output. A pair is taken when both inputs are valid and the pipeline may advance:
// a_ready = en && b_valid, b_ready = en && a_valid (ready depends on the other valid, never on its own), so the two
// streams move in lockstep. en = out_ready || !out_valid holds every register (an output not taken stalls the block).
// Cycles: a pair taken at edge t is offered at t + 4 (the input products, the sum, ep_requant's two stages); II 1.

module ep_add_stream #(
    parameter integer C = 1,
    parameter integer A_ZP = 0,
    parameter integer B_ZP = 0,
    parameter [30:0] MA = 31'h40000000,
    parameter [5:0]  SA = 6'd31,
    parameter [30:0] MB = 31'h40000000,
    parameter [5:0]  SB = 6'd31,
    parameter [30:0] MY = 31'h40000000,
    parameter [5:0]  SY = 6'd31,
    parameter integer Y_ZP = 0,
    parameter integer ACT_MIN = -128,
    parameter integer ACT_MAX = 127
) (
    input  wire             clk,
    input  wire             rst,
    input  wire             a_valid,
    output wire             a_ready,
    input  wire [8*C-1:0]   a_data,
    input  wire             b_valid,
    output wire             b_ready,
    input  wire [8*C-1:0]   b_data,
    output wire             out_valid,
    input  wire             out_ready,
    output wire [8*C-1:0]   out_data
);
    generate
        if (SA < 6'd21 || SB < 6'd21) begin : illegal
            ep_add_stream_input_shift_must_be_at_least_21 illegal_shift ();
        end
    endgenerate

    // d * M < 2^39 in magnitude; the rounding constant 2^(s-21) reaches 2^41 (s <= 62): 48-bit arithmetic holds both.
    localparam [5:0] SA_OUT = SA - 6'd20;
    localparam [5:0] SB_OUT = SB - 6'd20;
    localparam signed [47:0] ROUND_A = 48'sd1 <<< (SA - 6'd21);
    localparam signed [47:0] ROUND_B = 48'sd1 <<< (SB - 6'd21);

    wire en = out_ready || !out_valid;
    wire take = en && a_valid && b_valid;
    assign a_ready = en && b_valid;
    assign b_ready = en && a_valid;

    // Stage 1: d * M for both inputs of every channel (d = x - zero point: 9 bits signed; M: 31 bits unsigned).
    localparam signed [8:0] A_ZP9 = A_ZP[8:0];
    localparam signed [8:0] B_ZP9 = B_ZP[8:0];
    reg  [41*C-1:0] prod_a, prod_b;
    reg             valid_1;
    integer c;
    always @(posedge clk) if (en) begin
        for (c = 0; c < C; c = c + 1) begin
            prod_a[41*c +: 41] <= $signed($signed({a_data[8*c + 7], a_data[8*c +: 8]}) - A_ZP9) * $signed({1'b0, MA});
            prod_b[41*c +: 41] <= $signed($signed({b_data[8*c + 7], b_data[8*c +: 8]}) - B_ZP9) * $signed({1'b0, MB});
        end
    end
    always @(posedge clk) if (rst) valid_1 <= 1'b0; else if (en) valid_1 <= take;

    // Stage 2: a' + b' (each rounded and shifted), 29 bits per channel.
    reg  [29*C-1:0] sum_2;
    reg             valid_2;
    genvar k;
    generate
        for (k = 0; k < C; k = k + 1) begin : rescale
            /* verilator lint_off UNUSEDSIGNAL */
            // the shifted values' upper bits are sign copies (|a'|, |b'| < 2^28)
            wire signed [47:0] ra = ($signed({{7{prod_a[41*k + 40]}}, prod_a[41*k +: 41]}) + ROUND_A) >>> SA_OUT;
            wire signed [47:0] rb = ($signed({{7{prod_b[41*k + 40]}}, prod_b[41*k +: 41]}) + ROUND_B) >>> SB_OUT;
            /* verilator lint_on UNUSEDSIGNAL */
            always @(posedge clk) if (en) sum_2[29*k +: 29] <= ra[28:0] + rb[28:0];
        end
    endgenerate
    always @(posedge clk) if (rst) valid_2 <= 1'b0; else if (en) valid_2 <= valid_1;

    // Stages 3-4: one output requantizer per channel (their valid bits are all the same: channel 0's is used).
    /* verilator lint_off UNUSEDSIGNAL */
    wire [C-1:0] valid_4;
    /* verilator lint_on UNUSEDSIGNAL */
    generate
        for (k = 0; k < C; k = k + 1) begin : channel
            ep_requant #(.ACC_BITS(29), .MULT_BITS(31)) requant (
                .clk(clk), .rst(rst), .en(en),
                .in_valid(valid_2),
                .acc(sum_2[29*k +: 29]),
                .multiplier(MY),
                .shift(SY),
                .zero_point(Y_ZP[7:0]),
                .act_min(ACT_MIN[7:0]),
                .act_max(ACT_MAX[7:0]),
                .out_valid(valid_4[k]),
                .out(out_data[8*k +: 8])
            );
        end
    endgenerate
    assign out_valid = valid_4[0];
endmodule
