// Verilator testbench of ep_add_stream.v (through the wrapper ep_add_stream_tb_top the test writes with the constants):
//   tb <channels> <a beats file> <b beats file> [a gap seed] [b gap seed] [stall seed]
// streams pixel p of each file into a_* and b_* (one beat per line, <channels> int8 values), the two producers
// pausing at random and independently when their seed is non-zero (a beat once offered stays offered until taken),
// the consumer dropping out_ready at random with a non-zero stall seed. Prints each output beat as a line of values,
// then "latency <cycles>" (first pair taken to first output taken) and "cycles <n>" (first pair to last output).
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "Vep_add_stream_tb_top.h"
#include "ep_stream_tb.h"

int main(int argc, char **argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s <channels> <a beats> <b beats> [a gap seed] [b gap seed] [stall seed]\n", argv[0]);
        return 2;
    }
    const int channels = std::atoi(argv[1]);
    uint32_t gap_a = argc > 4 ? static_cast<uint32_t>(std::strtoul(argv[4], nullptr, 10)) : 0;
    uint32_t gap_b = argc > 5 ? static_cast<uint32_t>(std::strtoul(argv[5], nullptr, 10)) : 0;
    uint32_t stall = argc > 6 ? static_cast<uint32_t>(std::strtoul(argv[6], nullptr, 10)) : 0;
    std::vector<std::vector<int8_t>> a, b;
    if (!ep_read_beats(argv[2], channels, a) || !ep_read_beats(argv[3], channels, b) || a.size() != b.size()) {
        std::fprintf(stderr, "cannot read two files of equally many beats of %d values\n", channels);
        return 2;
    }
    auto context = std::make_unique<VerilatedContext>();
    auto dut = std::make_unique<Vep_add_stream_tb_top>(context.get());
    auto tick = [&]() {
        dut->clk = 1;
        dut->eval();
        dut->clk = 0;
        dut->eval();
    };
    dut->clk = 0;
    dut->rst = 1;
    dut->a_valid = 0;
    dut->b_valid = 0;
    dut->out_ready = 0;
    dut->eval();
    tick();
    dut->rst = 0;
    size_t sent_a = 0, sent_b = 0, received = 0;
    bool offered_a = false, offered_b = false;
    long first_in = -1, first_out = -1, last_out = -1;
    const long limit = 64L * static_cast<long>(a.size() + 4);
    for (long cycle = 0; received < a.size(); cycle++) {
        if (cycle > limit) {
            std::fprintf(stderr, "%zu of %zu output beats after %ld cycles\n", received, a.size(), cycle);
            return 1;
        }
        // A producer with a gap seed offers its next beat only some cycles; once offered, it stays until taken.
        if (!offered_a) offered_a = sent_a < a.size() && (gap_a == 0 || (ep_next_random(gap_a) & 3) == 0);
        if (!offered_b) offered_b = sent_b < b.size() && (gap_b == 0 || (ep_next_random(gap_b) & 3) == 0);
        dut->a_valid = offered_a;
        dut->b_valid = offered_b;
        for (int c = 0; c < channels && offered_a; c++) ep_put_byte(dut->a_data, c, a[sent_a][static_cast<std::size_t>(c)]);
        for (int c = 0; c < channels && offered_b; c++) ep_put_byte(dut->b_data, c, b[sent_b][static_cast<std::size_t>(c)]);
        dut->out_ready = stall == 0 || (ep_next_random(stall) & 3) != 0;
        dut->eval();
        const bool took_a = dut->a_valid && dut->a_ready, took_b = dut->b_valid && dut->b_ready;
        if (took_a != took_b) {
            std::fprintf(stderr, "cycle %ld: one input taken without the other\n", cycle);
            return 1;
        }
        if (dut->out_valid && dut->out_ready) {
            for (int c = 0; c < channels; c++) std::printf(c ? " %d" : "%d", static_cast<int>(ep_get_byte(dut->out_data, c)));
            std::printf("\n");
            if (first_out < 0) first_out = cycle;
            last_out = cycle;
            received++;
        }
        if (took_a) {
            if (first_in < 0) first_in = cycle;
            sent_a++;
            sent_b++;
            offered_a = offered_b = false;
        }
        tick();
    }
    std::printf("latency %ld\ncycles %ld\n", first_out - first_in, last_out - first_in);
    dut->final();
    return 0;
}
