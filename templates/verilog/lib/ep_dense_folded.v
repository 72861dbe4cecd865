// ep_dense_folded: an int8 fully connected layer folded in time (reuse factor RF > 1), the hardware form of Int8Gemm
// (src/ops/int8-gemm.ts) for one input row, with its weights in a ROM that synthesis maps to block RAM:
//   acc[o] = BIAS[o] + sum_i W[o][i] * x[i]        (BIAS already holds B[o] - x_zp * sum_i W[o][i])
//   y[o]   = clamp(requantize(acc[o], MULT[o], SHIFT[o]) + Y_ZP, ACT_MIN, ACT_MAX)   (ep_requant.v)
//
// Folding: the outputs are computed one after the other, each in K = RF / N_OUT cycles of P = N_IN / K products.
// Legal reuse factors: RF = N_OUT * K where K divides N_IN (1 <= K <= N_IN), so P = N_IN * N_OUT / RF multipliers
// and one requantizer (ep_requant, shared by every output: one accumulator reaches it every K cycles). Any other
// RF stops elaboration (an instance of a module that does not exist, named after the rule).
//
// Weight ROM: RF words of 8*P bits, word r = o*K + k holding W[o][k*P + j] at [8*j +: 8] (so the packed WEIGHTS
// parameter, row-major, is the ROM's contents word after word), read synchronously once per cycle: Yosys infers
// block RAM (SB_RAM40_4K on iCE40, RAMB18E1/RAMB36E1 on xc7; forced by rom_style, which Verilator ignores). The
// folded bias is a second ROM of N_OUT words, the requantization multiplier and shift a third one (or constants when
// every output shares them); Yosys puts these small ones in logic or block RAM as it finds cheaper. Widths follow
// the constants: the accumulator holds just the layer's worst-case sum (ACC_BITS, 17..32), and multipliers with Z
// common trailing zeros (narrow multipliers) are stored and multiplied without them; both narrow ep_requant's multiply.
//
// Stream interface (AXI-Stream style): one input beat is the whole vector (byte i = x[i]), one output beat the
// whole output vector (byte o = y[o]). Every register advances only while en = out_ready || !out_valid (an output
// beat not taken stalls the whole layer, the block RAM reads included); in_ready = en && no weight read pending.
// Serial streams (one int8 element per beat, element 0 first), for small FPGAs where vectors in flip-flops do not fit:
//  - SERIAL_OUT = 1: y[o] is its own beat, offered as soon as it is computed (no output shift register).
//  - SERIAL_IN = 1 (only at P = 1, RF = N_IN·N_OUT): the elements are written into a block-RAM buffer of two vectors
//    (one filled while the other is read) and x[i] is read from it beside the weight, instead of a rotating register
//    of 8·N_IN flip-flops. in_ready = the half being filled is free (the input side does not wait for en); a
//    vector's reads start the cycle after its last element is written, or when the previous vector's reads end.
// Cycles (clock edges, without stalls):
//   initiation interval  II      = RF        (the input beat is accepted with the first ROM read; the next one
//                                             RF cycles later, with the next vector's first read)
//   latency              L       = RF + 6    (input beat accepted -> output beat valid: the last ROM read at RF-1,
//                                             then ROM word, products, accumulator, ep_requant's three stages
//                                             (STAGES = 3: a short clock path on small FPGAs), and the output
//                                             register)
// V vectors stream through in L + (V - 1) * RF cycles (first input to last output).
// With SERIAL_OUT, y[o] is offered (o + 1) * K + 6 cycles after the vector's first read; with SERIAL_IN the first read
// is one cycle after the vector's last element is accepted (an idle layer), so element 0 accepted at cycle 0 of a
// vector sent one element per cycle gives its last output at N_IN + RF + 6; the initiation interval stays RF.
// Pipeline: read (ROM address; x chunk k taken from the rotating input register) -> products (P registered int8
// products, (* keep *) so that synth_ice40 -dsp maps them one by one) -> accumulate (a balanced adder tree of the
// P products plus the bias at k = 0 or the running sum) -> ep_requant -> the output shift register (byte o enters
// at the top: after N_OUT bytes y[0] is at the bottom).

module ep_dense_folded #(
    parameter integer N_IN = 1,
    parameter integer N_OUT = 1,
    parameter integer RF = 1,
    // W[o][i] at bits [8*(o*N_IN + i) +: 8], int8
    parameter [8*N_IN*N_OUT-1:0] WEIGHTS = 0,
    // folded bias of output o at [32*o +: 32], int32
    parameter [32*N_OUT-1:0] BIAS = 0,
    // fixed-point multiplier of output o at [31*o +: 31] (0 or [2^30, 2^31)), shift at [6*o +: 6] (1..62)
    parameter [31*N_OUT-1:0] MULT = 0,
    parameter [6*N_OUT-1:0] SHIFT = 0,
    parameter integer Y_ZP = 0,
    parameter integer ACT_MIN = -128,
    parameter integer ACT_MAX = 127,
    // The accumulator's width, 17..32: a signed width holding BIAS[o] + sum_i W[o][i] * x[i] for every output and
    // every int8 input (src/emit/verilog/accumulator-bits.ts, foldedAccumulatorBits: |acc| <= |BIAS[o]| + 128 *
    // sum_i |W[o][i]|, at least 17 for a product's 16 bits and a carry); ep_requant's ACC_BITS. The emitter computes
    // it: a Verilog function looping over every weight cost Verilator's elaboration 18 s of a 256x32 layer.
    parameter integer ACC_BITS = 32,
    // 1: the P products written as shifts and adds, registered as two halves each, which synthesis keeps in LUTs even
    // with DSP mapping on (synth_ice40 -dsp then spends the few SB_MAC16 on the requantizer's multiply only); 0: `*`,
    // mapped as synthesis chooses.
    parameter integer LUT_PRODUCTS = 0,
    // 1: the bias and requantization ROMs in block RAM too (rom_style "block"), which saves the LUTs a 64-entry ROM
    // of about 40 bits takes on an iCE40 (a few hundred) for 2-4 EBR; 0: where Yosys finds them cheaper.
    parameter integer SMALL_ROMS_IN_BRAM = 0,
    // 1: one input element per beat, kept in block RAM (P = 1 only); 0: the whole vector in one beat.
    parameter integer SERIAL_IN = 0,
    // 1: one output element per beat; 0: the whole output vector in one beat.
    parameter integer SERIAL_OUT = 0
) (
    input  wire                 clk,
    input  wire                 rst,
    input  wire                 in_valid,
    output wire                 in_ready,
    input  wire [8*(SERIAL_IN != 0 ? 1 : N_IN)-1:0]   in_data,
    output reg                  out_valid,
    input  wire                 out_ready,
    output reg  [8*(SERIAL_OUT != 0 ? 1 : N_OUT)-1:0] out_data
);
    localparam integer K = RF / N_OUT;                  // cycles (ROM words) per output
    localparam integer P = K > 0 ? N_IN / K : 1;        // parallel multipliers
    localparam LEGAL = RF >= 1 && RF % N_OUT == 0 && K >= 1 && N_IN % K == 0;
    localparam integer AW = RF <= 1 ? 1 : $clog2(RF);   // ROM address bits
    localparam integer OW = N_OUT <= 1 ? 1 : $clog2(N_OUT);
    localparam integer KW = K <= 1 ? 1 : $clog2(K);
    localparam integer NP = LUT_PRODUCTS != 0 ? 2*P : P;    // registered products (two halves each in LUT mode)
    localparam integer LEAVES = NP <= 1 ? 1 : 1 << $clog2(NP);
    localparam integer LAST_ADDR_I = RF - 1, LAST_K_I = K - 1, LAST_O_I = N_OUT - 1;
    localparam [AW-1:0] LAST_ADDR = LAST_ADDR_I[AW-1:0];
    localparam [KW-1:0] LAST_K = LAST_K_I[KW-1:0];
    localparam [OW-1:0] LAST_O = LAST_O_I[OW-1:0];

    // Every output shares one multiplier and shift (a per-tensor weight scale): constants, no ROM.
    function integer shared_requant;
        input integer unused;
        integer o;
        begin
            shared_requant = 1;
            for (o = 1; o < N_OUT; o = o + 1)
                if (MULT[31*o +: 31] != MULT[30:0] || SHIFT[6*o +: 6] != SHIFT[5:0]) shared_requant = 0;
        end
    endfunction
    localparam SHARED = shared_requant(0) == 1;

    // Narrow multipliers (docs/numerics.md, quantize --multiplier-bits). Two exact rewrites of (acc*M + 2^(s-1)) >> s:
    //  - one shift for all outputs: when M[o] is a multiple of 2^(s[o] - S_MIN) for every o (S_MIN the smallest
    //    shift), M[o] >> (s[o] - S_MIN) with shift S_MIN gives the same result (numerator and divisor both scaled), so
    //    ep_requant's shift is a constant and synthesis folds its barrel shifter (EQ);
    //  - common trailing zeros: when every (rescaled) nonzero M[o] is a multiple of 2^Z with Z < its shift, the ROM
    //    keeps MW = 31 - Z bits and the shift drops by Z; ep_requant's multiply narrows to MW bits in synthesis.
    // A zero multiplier gives 0 at any shift of at least 1.
    function integer tz_of;         // trailing zeros of M[o] (31 for M = 0)
        input integer o;
        integer z, m;
        begin
            m = {1'b0, MULT[31*o +: 31]};
            tz_of = 31;
            for (z = 30; z >= 0; z = z - 1) if (m[z]) tz_of = z;
        end
    endfunction
    function integer shift_of;
        input integer o;
        shift_of = {26'd0, SHIFT[6*o +: 6]};
    endfunction
    function integer min_shift;     // the smallest shift of a nonzero multiplier (63 without one)
        input integer unused;
        integer o;
        begin
            min_shift = 63;
            for (o = 0; o < N_OUT; o = o + 1) if (tz_of(o) < 31 && shift_of(o) < min_shift) min_shift = shift_of(o);
        end
    endfunction
    localparam integer S_MIN = min_shift(0);
    function integer equal_shifts;
        input integer unused;
        integer o;
        begin
            equal_shifts = S_MIN < 63 ? 1 : 0;
            for (o = 0; o < N_OUT; o = o + 1) if (tz_of(o) < 31 && shift_of(o) - S_MIN > tz_of(o)) equal_shifts = 0;
        end
    endfunction
    localparam EQ = equal_shifts(0) == 1;
    function integer rescale_of;    // the right shift of M[o] that brings its shift to S_MIN (0 without EQ)
        input integer o;
        rescale_of = EQ && tz_of(o) < 31 ? shift_of(o) - S_MIN : 0;
    endfunction
    function integer common_zeros;
        input integer unused;
        integer o;
        begin
            common_zeros = 30;
            for (o = 0; o < N_OUT; o = o + 1) if (tz_of(o) < 31) begin
                if (tz_of(o) - rescale_of(o) < common_zeros) common_zeros = tz_of(o) - rescale_of(o);
                if (shift_of(o) - rescale_of(o) - 1 < common_zeros) common_zeros = shift_of(o) - rescale_of(o) - 1;
            end
            if (common_zeros < 0) common_zeros = 0;
        end
    endfunction
    localparam integer Z = common_zeros(0);
    localparam integer MW = 31 - Z;
    localparam integer S_EQ_I = S_MIN - Z;
    localparam [5:0] S_EQ = S_EQ_I[5:0];

    function [MW-1:0] narrow_mult;
        input integer o;
        /* verilator lint_off UNUSEDSIGNAL */
        reg [30:0] m;   // its top Z bits are zero
        /* verilator lint_on UNUSEDSIGNAL */
        begin
            m = MULT[31*o +: 31] >> (rescale_of(o) + Z);
            narrow_mult = m[MW-1:0];
        end
    endfunction
    function [5:0] narrow_shift;
        input integer o;
        narrow_shift = EQ ? S_EQ : MULT[31*o +: 31] == 31'd0 ? 6'd1 : SHIFT[6*o +: 6] - Z[5:0];
    endfunction

    localparam integer AB = ACC_BITS;

    generate
        if (!LEGAL) begin : illegal
            ep_dense_folded_RF_must_be_N_OUT_times_a_divisor_of_N_IN illegal_reuse_factor ();
        end
        if (ACC_BITS < 17 || ACC_BITS > 32) begin : illegal_acc_bits
            ep_dense_folded_ACC_BITS_must_be_17_to_32 illegal_accumulator_width ();
        end
        if (LEGAL && SERIAL_IN != 0 && P != 1) begin : serial_needs_one_multiplier
            ep_dense_folded_SERIAL_IN_needs_RF_equal_to_N_IN_times_N_OUT illegal_serial_input ();
        end
    endgenerate

    wire en = out_ready || !out_valid;

    // ---- read stage: the sequencer, the ROM address, the input chunk -------------------------------------------
    reg  [AW-1:0]     count;        // ROM words read of the current vector (valid while busy)
    reg               busy;         // words 1..RF-1 of a vector remain to be read
    reg  [KW-1:0]     k_at;         // chunk index of the next read
    reg  [OW-1:0]     o_at;         // output index of the next read
    wire              start;        // a vector's first word may be read (its input beat, or its buffer full)
    wire              read = en && (start || busy);
    wire [AW-1:0]     addr = busy ? count : {AW{1'b0}};
    wire [KW-1:0]     k_now = busy ? k_at : {KW{1'b0}};
    wire [OW-1:0]     o_now = busy ? o_at : {OW{1'b0}};
    reg  [8*P-1:0]    x_1;          // the input chunk of the word read (stage 1)

    always @(posedge clk) begin
        if (rst) busy <= 1'b0;
        else if (read) busy <= addr != LAST_ADDR;
    end
    wire              k_last = k_now == LAST_K;
    always @(posedge clk) if (read) begin
        count <= addr + 1'b1;
        k_at  <= k_last ? {KW{1'b0}} : k_now + 1'b1;
        o_at  <= k_last ? o_now + 1'b1 : o_now;
    end
    generate
        if (SERIAL_IN == 0) begin : vector_in
            reg  [8*N_IN-1:0] x;            // the input vector, rotated by P bytes per read: chunk k at the bottom
            wire [8*N_IN-1:0] x_now = busy ? x : in_data;
            assign start = in_valid && in_ready;
            assign in_ready = en && !busy;
            if (K == 1) begin : hold
                always @(posedge clk) if (read) x <= x_now;
            end else begin : rotate
                always @(posedge clk) if (read) x <= {x_now[8*P-1:0], x_now[8*N_IN-1:8*P]};
            end
            always @(posedge clk) if (en) x_1 <= x_now[8*P-1:0];
        end else begin : serial_in
            // Two halves of N_IN bytes (each padded to 2^KW): half h holds a whole vector when full[h].
            (* ram_style = "block" *) reg [7:0] xram [0:2*(1 << KW)-1];
            reg [1:0]    full;
            reg          wh, rh;        // the half being written, the half being read
            reg [KW-1:0] wi;            // the next element written
            wire         write = in_valid && in_ready;
            wire         wrote_last = wi == LAST_K;
            assign in_ready = !full[wh];
            assign start = !busy && full[rh];
            always @(posedge clk) if (write) xram[{wh, wi}] <= in_data;
            always @(posedge clk) if (read) x_1 <= xram[{rh, k_now}];
            always @(posedge clk) begin
                if (rst) begin
                    full <= 2'b00;
                    wh <= 1'b0;
                    rh <= 1'b0;
                    wi <= {KW{1'b0}};
                end else begin
                    if (write) begin
                        wi <= wrote_last ? {KW{1'b0}} : wi + 1'b1;
                        if (wrote_last) begin
                            full[wh] <= 1'b1;
                            wh <= !wh;
                        end
                    end
                    if (read && addr == LAST_ADDR) begin
                        full[rh] <= 1'b0;
                        rh <= !rh;
                    end
                end
            end
        end
    endgenerate

    // ---- stage 1: the ROM word and the chunk it multiplies -------------------------------------------------------
    (* rom_style = "block" *) reg [8*P-1:0] wrom [0:RF-1];
    integer r;
    initial for (r = 0; r < RF; r = r + 1) wrom[r] = WEIGHTS[8*P*r +: 8*P];

    reg  [8*P-1:0] w_1;
    reg            valid_1, first_1, last_1;
    reg  [OW-1:0]  o_1;
    always @(posedge clk) if (read) w_1 <= wrom[addr];
    always @(posedge clk) if (en) begin
        first_1 <= k_now == 0;
        last_1  <= k_last;
        o_1     <= o_now;
    end
    always @(posedge clk) if (rst) valid_1 <= 1'b0; else if (en) valid_1 <= read;

    // ---- stage 2: the products, and the bias of the output --------------------------------------------------------
    reg signed [AB-1:0] bias_2;
    generate
        if (SMALL_ROMS_IN_BRAM != 0) begin : bias_block
            (* rom_style = "block" *) reg [AB-1:0] brom [0:N_OUT-1];
            integer b;
            initial for (b = 0; b < N_OUT; b = b + 1) brom[b] = BIAS[32*b +: AB];
            always @(posedge clk) if (en) bias_2 <= brom[o_1];
        end else begin : bias_any
            reg [AB-1:0] brom [0:N_OUT-1];
            integer b;
            initial for (b = 0; b < N_OUT; b = b + 1) brom[b] = BIAS[32*b +: AB];
            always @(posedge clk) if (en) bias_2 <= brom[o_1];
        end
    endgenerate

    (* keep *) reg [16*NP-1:0] product_2;
    reg               valid_2, first_2, last_2;
    // Read by the per-output ROMs and the vector's end only (unused with one output and serial or shared constants).
    /* verilator lint_off UNUSEDSIGNAL */
    reg  [OW-1:0]     o_2;
    /* verilator lint_on UNUSEDSIGNAL */
    // The part of pa * pb (two int8) from bits first..last of pb, as shifts and adds (bit 7 weighs -128). In LUT mode
    // each product is registered as its two halves (bits 0-3 and 4-7 of the weight), which the adder tree sums: half
    // the adder chain per cycle.
    function signed [15:0] shift_add_part;
        input signed [7:0] pa;
        input [7:0] pb;
        input integer first;
        input integer last;
        integer k;
        reg signed [15:0] sum, wide;
        begin
            wide = {{8{pa[7]}}, pa};
            sum = 16'sd0;
            for (k = 0; k < 8; k = k + 1)
                if (k >= first && k <= last && pb[k]) sum = k == 7 ? sum - (wide <<< k) : sum + (wide <<< k);
            shift_add_part = sum;
        end
    endfunction

    integer j;
    always @(posedge clk) if (en) begin
        for (j = 0; j < P; j = j + 1)
            if (LUT_PRODUCTS != 0) begin
                product_2[32*j +: 16]      <= shift_add_part(x_1[8*j +: 8], w_1[8*j +: 8], 0, 3);
                product_2[32*j + 16 +: 16] <= shift_add_part(x_1[8*j +: 8], w_1[8*j +: 8], 4, 7);
            end else product_2[16*j +: 16] <= $signed(x_1[8*j +: 8]) * $signed(w_1[8*j +: 8]);
        first_2 <= first_1;
        last_2  <= last_1;
        o_2     <= o_1;
    end
    always @(posedge clk) if (rst) valid_2 <= 1'b0; else if (en) valid_2 <= valid_1;

    // ---- stage 3: accumulate (adder tree of the products + bias or running sum); the requantization constants ---
    genvar t;
    generate
        for (t = 1; t < 2*LEAVES; t = t + 1) begin : node
            wire signed [AB-1:0] v;
            if (t < LEAVES) begin : sum
                assign v = node[2*t].v + node[2*t + 1].v;
            end else if (t - LEAVES < NP) begin : leaf
                assign v = {{(AB - 16){product_2[16*(t - LEAVES) + 15]}}, product_2[16*(t - LEAVES) +: 16]};
            end else begin : zero
                assign v = {AB{1'b0}};
            end
        end
    endgenerate

    reg signed [AB-1:0] acc_3;
    reg               valid_3;
    always @(posedge clk) if (en) acc_3 <= (first_2 ? bias_2 : acc_3) + node[1].v;
    always @(posedge clk) if (rst) valid_3 <= 1'b0; else if (en) valid_3 <= valid_2 && last_2;

    wire [MW-1:0] mult_narrow_3;
    wire [5:0]    shift_3;
    generate
        if (SHARED) begin : shared
            assign mult_narrow_3 = narrow_mult(0);
            assign shift_3 = narrow_shift(0);
        end else if (EQ && SMALL_ROMS_IN_BRAM != 0) begin : one_shift_block
            (* rom_style = "block" *) reg [MW-1:0] qrom [0:N_OUT-1];
            integer q;
            initial for (q = 0; q < N_OUT; q = q + 1) qrom[q] = narrow_mult(q);
            reg [MW-1:0] q_3;
            always @(posedge clk) if (en) q_3 <= qrom[o_2];
            assign mult_narrow_3 = q_3;
            assign shift_3 = S_EQ;
        end else if (EQ) begin : one_shift
            reg [MW-1:0] qrom [0:N_OUT-1];
            integer q;
            initial for (q = 0; q < N_OUT; q = q + 1) qrom[q] = narrow_mult(q);
            reg [MW-1:0] q_3;
            always @(posedge clk) if (en) q_3 <= qrom[o_2];
            assign mult_narrow_3 = q_3;
            assign shift_3 = S_EQ;
        end else if (SMALL_ROMS_IN_BRAM != 0) begin : per_output_block
            (* rom_style = "block" *) reg [MW+5:0] qrom [0:N_OUT-1];
            integer q;
            initial for (q = 0; q < N_OUT; q = q + 1) qrom[q] = {narrow_shift(q), narrow_mult(q)};
            reg [MW+5:0] q_3;
            always @(posedge clk) if (en) q_3 <= qrom[o_2];
            assign mult_narrow_3 = q_3[MW-1:0];
            assign shift_3 = q_3[MW+5:MW];
        end else begin : per_output
            reg [MW+5:0] qrom [0:N_OUT-1];
            integer q;
            initial for (q = 0; q < N_OUT; q = q + 1) qrom[q] = {narrow_shift(q), narrow_mult(q)};
            reg [MW+5:0] q_3;
            always @(posedge clk) if (en) q_3 <= qrom[o_2];
            assign mult_narrow_3 = q_3[MW-1:0];
            assign shift_3 = q_3[MW+5:MW];
        end
    endgenerate
    // ep_requant at the narrow widths (ACC_BITS = AB, MULT_BITS = MW): M back at its full scale with Z trailing zeros
    // and the shift Z higher, which ep_requant takes off again; its adders and clamp are then as narrow as the product.
    wire [30:0] mult_3;
    generate
        if (Z == 0) begin : full_mult
            assign mult_3 = mult_narrow_3;
        end else begin : narrow
            assign mult_3 = {mult_narrow_3, {Z{1'b0}}};
        end
    endgenerate
    localparam [5:0] Z_SHIFT = Z[5:0];

    // ---- stages 4-6: the shared requantizer; then the output register --------------------------------------
    wire              valid_6;
    wire signed [7:0] y_6;

    ep_requant #(.ACC_BITS(AB), .MULT_BITS(MW), .STAGES(3)) requant (
        .clk(clk), .rst(rst), .en(en),
        .in_valid(valid_3),
        .acc(acc_3),
        .multiplier(mult_3),
        .shift(shift_3 + Z_SHIFT),
        .zero_point(Y_ZP[7:0]),
        .act_min(ACT_MIN[7:0]),
        .act_max(ACT_MAX[7:0]),
        .out_valid(valid_6),
        .out(y_6)
    );

    generate
        if (SERIAL_OUT != 0 || N_OUT == 1) begin : each_output
            always @(posedge clk) if (en && valid_6) out_data <= y_6;
            always @(posedge clk) if (rst) out_valid <= 1'b0; else if (en) out_valid <= valid_6;
        end else begin : whole_vector
            // y[N_OUT-1] marks the vector's end, four stages after its accumulator.
            reg last_3, last_4, last_5, last_6;
            always @(posedge clk) if (en) begin
                last_3 <= o_2 == LAST_O;
                last_4 <= last_3;
                last_5 <= last_4;
                last_6 <= last_5;
            end
            always @(posedge clk) if (en && valid_6) out_data <= {y_6, out_data[8*N_OUT-1:8]};
            always @(posedge clk) if (rst) out_valid <= 1'b0; else if (en) out_valid <= valid_6 && last_6;
        end
    endgenerate
endmodule
