// ep_requant: the int8 requantization of docs/numerics.md ("int8") in hardware, bit-exact with
// src/quant/fixed-point.ts requantizeToInt8: an int32 accumulator times the fixed-point multiplier
// M (0 or [2^30, 2^31)), one rounding (add 2^(s-1), arithmetic shift right by s, s in [1, 62]),
// saturation to int32, plus the output zero point, clamped to [act_min, act_max] (the fused
// activation). Two pipeline stages (the 32x32 multiply, then round/shift/clamp), II = 1, with a
// valid bit alongside: the output appears two enabled clock edges after the input. `en` low holds every
// register (the stall of a valid/ready pipeline); `rst` (synchronous) clears the valid bits only.
//
// The multiplier, shift, zero point and clamp are ports so that a folded layer can read them per
// channel from a ROM; a layer at reuse factor 1 ties them to constants and synthesis folds them.

module ep_requant (
    input  wire               clk,
    input  wire               rst,
    input  wire               en,
    input  wire               in_valid,
    input  wire signed [31:0] acc,
    input  wire        [30:0] multiplier,
    input  wire        [5:0]  shift,
    input  wire signed [7:0]  zero_point,
    input  wire signed [7:0]  act_min,
    input  wire signed [7:0]  act_max,
    output reg                out_valid,
    output reg  signed [7:0]  out
);
    // Stage 1: the exact product (|acc * M| < 2^62) and the parameters it travels with.
    reg signed [63:0] product;
    reg        [5:0]  shift_1;
    reg signed [7:0]  zero_point_1, act_min_1, act_max_1;
    reg               valid_1;

    always @(posedge clk) if (en) begin
        product      <= acc * $signed({1'b0, multiplier});
        shift_1      <= shift;
        zero_point_1 <= zero_point;
        act_min_1    <= act_min;
        act_max_1    <= act_max;
    end
    always @(posedge clk) if (rst) valid_1 <= 1'b0; else if (en) valid_1 <= in_valid;

    // Stage 2: floor((product + 2^(s-1)) / 2^s), saturated to int32, + zero point, clamped.
    wire signed [63:0] rounding = 64'sd1 <<< (shift_1 - 6'd1);
    wire signed [63:0] shifted  = (product + rounding) >>> shift_1;
    wire signed [31:0] saturated =
        (shifted > 64'sd2147483647)  ? 32'sh7fffffff :
        (shifted < -64'sd2147483648) ? 32'sh80000000 :
                                       shifted[31:0];
    wire signed [32:0] offset  = {saturated[31], saturated} + {{25{zero_point_1[7]}}, zero_point_1};
    wire signed [32:0] low     = {{25{act_min_1[7]}}, act_min_1};
    wire signed [32:0] high    = {{25{act_max_1[7]}}, act_max_1};

    always @(posedge clk) if (rst) out_valid <= 1'b0; else if (en) out_valid <= valid_1;

    always @(posedge clk) if (en) begin
        if (offset < low)       out <= act_min_1;
        else if (offset > high) out <= act_max_1;
        else                    out <= offset[7:0];
    end
endmodule
