// ep_requant: the int8 requantization of docs/numerics.md ("int8") in hardware, bit-exact with
// src/quant/fixed-point.ts requantizeToInt8: an accumulator times the fixed-point multiplier M (0 or
// [2^30, 2^31)), one rounding (add 2^(s-1), arithmetic shift right by s, s in [1, 62]), saturation to int32,
// plus the output zero point, clamped to [act_min, act_max] (the fused activation). Two pipeline stages (the
// multiply, then round/shift/clamp), II = 1, with a valid bit alongside: the output appears two enabled clock
// edges after the input. `en` low holds every register (the stall of a valid/ready pipeline); `rst`
// (synchronous) clears the valid bits only.
//
// Narrowing (docs/numerics.md, "narrow multipliers for FPGA"): ACC_BITS is the width of the accumulator the
// layer can produce (src/emit/verilog/accumulator-bits.ts; 32 = any int32), MULT_BITS the significant bits of
// M (the quantizer's multiplier_bits). The caller guarantees that the low L = 31 - MULT_BITS bits of M are
// zero and that s > L; the module multiplies by M >> L and shifts by s - L, which is the same value, so the
// product is ACC_BITS + MULT_BITS wide (one DSP block at 25 x 17 and less). Saturation to int32 needs no
// logic: a value beyond int32 plus the zero point is beyond the int8 clamp either way.
//
// The multiplier, shift, zero point and clamp are ports so that a folded layer can read them per
// channel from a ROM; a layer at reuse factor 1 ties them to constants and synthesis folds them.

module ep_requant #(
    parameter integer ACC_BITS = 32,
    parameter integer MULT_BITS = 31
) (
    input  wire                       clk,
    input  wire                       rst,
    input  wire                       en,
    input  wire                       in_valid,
    input  wire signed [ACC_BITS-1:0] acc,
    // M: the low 31 - MULT_BITS bits are zero and unused
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire        [30:0]         multiplier,
    /* verilator lint_on UNUSEDSIGNAL */
    input  wire        [5:0]          shift,
    input  wire signed [7:0]          zero_point,
    input  wire signed [7:0]          act_min,
    input  wire signed [7:0]          act_max,
    output reg                        out_valid,
    output reg  signed [7:0]          out
);
    localparam integer PROD_BITS = ACC_BITS + MULT_BITS;
    localparam integer SUM_BITS = PROD_BITS + 1;
    localparam integer LOW_BITS = 31 - MULT_BITS;
    localparam [5:0] LOW = LOW_BITS[5:0];
    // A shift of PROD_BITS or more gives 0 (|product| < 2^(PROD_BITS-1)): shifts are capped there.
    localparam [6:0] SHIFT_CAP = PROD_BITS[6:0];

    // Stage 1: the exact product (|acc * (M >> L)| < 2^(PROD_BITS-1)) and the parameters it travels with.
    reg signed [PROD_BITS-1:0] product;
    reg        [5:0]           shift_1;
    reg signed [7:0]           zero_point_1, act_min_1, act_max_1;
    reg                        valid_1;

    always @(posedge clk) if (en) begin
        product      <= acc * $signed({1'b0, multiplier[30 -: MULT_BITS]});
        shift_1      <= shift - LOW;
        zero_point_1 <= zero_point;
        act_min_1    <= act_min;
        act_max_1    <= act_max;
    end
    always @(posedge clk) if (rst) valid_1 <= 1'b0; else if (en) valid_1 <= in_valid;

    // Stage 2: floor((product + 2^(s'-1)) / 2^s') with s' = s - L (capped), + zero point, clamped.
    wire        [6:0]          s_capped = ({1'b0, shift_1} > SHIFT_CAP) ? SHIFT_CAP : {1'b0, shift_1};
    wire signed [SUM_BITS-1:0] rounding = $signed({{(SUM_BITS-1){1'b0}}, 1'b1} << (s_capped - 7'd1));
    wire signed [SUM_BITS-1:0] sum      = {product[PROD_BITS-1], product} + rounding;
    wire signed [SUM_BITS-1:0] shifted  = sum >>> s_capped;
    wire signed [SUM_BITS:0]   offset   = {shifted[SUM_BITS-1], shifted} + {{(SUM_BITS-7){zero_point_1[7]}}, zero_point_1};
    wire signed [SUM_BITS:0]   low      = {{(SUM_BITS-7){act_min_1[7]}}, act_min_1};
    wire signed [SUM_BITS:0]   high     = {{(SUM_BITS-7){act_max_1[7]}}, act_max_1};

    always @(posedge clk) if (rst) out_valid <= 1'b0; else if (en) out_valid <= valid_1;

    always @(posedge clk) if (en) begin
        if (offset < low)       out <= act_min_1;
        else if (offset > high) out <= act_max_1;
        else                    out <= offset[7:0];
    end
endmodule
