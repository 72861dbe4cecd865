// ep_requant: the int8 requantization of docs/numerics.md ("int8") in hardware, bit-exact with
// src/quant/fixed-point.ts requantizeToInt8: an accumulator times the fixed-point multiplier M (0 or
// [2^30, 2^31)), one rounding (add 2^(s-1), arithmetic shift right by s, s in [1, 62]), saturation to int32,
// plus the output zero point, clamped to [act_min, act_max] (the fused activation). Two pipeline stages (the
// multiply, then round/shift/clamp), or three with STAGES = 3 (round/shift, then zero point/clamp: a shorter clock
// path, for small FPGAs), II = 1, with a valid bit alongside: the output appears STAGES enabled clock edges after the
// input. `en` low holds every register (the stall of a valid/ready pipeline); `rst` (synchronous) clears the valid
// bits only.
//
// The rounded, shifted value is saturated to 10 bits ([-512, 511]) before the zero point is added: beyond that range
// the result is act_max or act_min whatever the zero point (|zero point| <= 128, the clamp within int8), so the
// zero-point adder and the clamp's comparators are 11 bits wide, not the product's width.
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
    parameter integer MULT_BITS = 31,
    // 2 or 3 pipeline stages (3: the saturated shifted value registered before the zero point and clamp)
    parameter integer STAGES = 2
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

    // Stage 2: floor((product + 2^(s'-1)) / 2^s') with s' = s - L (capped), saturated to [-512, 511]; then (in stage 2,
    // or in stage 3 with STAGES = 3) + zero point, clamped.
    localparam integer NB = 10;
    wire        [6:0]          s_capped = ({1'b0, shift_1} > SHIFT_CAP) ? SHIFT_CAP : {1'b0, shift_1};
    wire signed [SUM_BITS-1:0] rounding = $signed({{(SUM_BITS-1){1'b0}}, 1'b1} << (s_capped - 7'd1));
    wire signed [SUM_BITS-1:0] sum      = {product[PROD_BITS-1], product} + rounding;
    wire signed [SUM_BITS-1:0] shifted  = sum >>> s_capped;
    wire signed [NB-1:0]       narrow;
    generate
        if (SUM_BITS <= NB) begin : fits
            assign narrow = {{(NB - SUM_BITS){shifted[SUM_BITS-1]}}, shifted};
        end else begin : saturate
            wire in_range = shifted[SUM_BITS-1:NB-1] == {(SUM_BITS-NB+1){shifted[SUM_BITS-1]}};
            assign narrow = in_range ? shifted[NB-1:0] : {shifted[SUM_BITS-1], {(NB-1){!shifted[SUM_BITS-1]}}};
        end
    endgenerate

    wire signed [NB-1:0] narrow_c;                  // the saturated value and the constants the clamp stage reads
    wire signed [7:0]    zero_point_c, act_min_c, act_max_c;
    wire                 valid_c;
    generate
        if (STAGES == 3) begin : third_stage
            reg signed [NB-1:0] narrow_2;
            reg signed [7:0]    zero_point_2, act_min_2, act_max_2;
            reg                 valid_2;
            always @(posedge clk) if (en) begin
                narrow_2     <= narrow;
                zero_point_2 <= zero_point_1;
                act_min_2    <= act_min_1;
                act_max_2    <= act_max_1;
            end
            always @(posedge clk) if (rst) valid_2 <= 1'b0; else if (en) valid_2 <= valid_1;
            assign narrow_c = narrow_2;
            assign zero_point_c = zero_point_2;
            assign act_min_c = act_min_2;
            assign act_max_c = act_max_2;
            assign valid_c = valid_2;
        end else begin : two_stages
            assign narrow_c = narrow;
            assign zero_point_c = zero_point_1;
            assign act_min_c = act_min_1;
            assign act_max_c = act_max_1;
            assign valid_c = valid_1;
        end
    endgenerate

    wire signed [NB:0] offset = {narrow_c[NB-1], narrow_c} + {{(NB-7){zero_point_c[7]}}, zero_point_c};
    wire signed [NB:0] low    = {{(NB-7){act_min_c[7]}}, act_min_c};
    wire signed [NB:0] high   = {{(NB-7){act_max_c[7]}}, act_max_c};

    always @(posedge clk) if (rst) out_valid <= 1'b0; else if (en) out_valid <= valid_c;

    always @(posedge clk) if (en) begin
        if (offset < low)       out <= act_min_c;
        else if (offset > high) out <= act_max_c;
        else                    out <= offset[7:0];
    end
endmodule
