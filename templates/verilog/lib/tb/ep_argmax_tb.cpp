// Verilator testbench of ep_argmax (through the wrapper ep_argmax_tb_top the test writes: two instances on the same
// stream, ties to the first index and ties to the last, their indices side by side in one output beat):
// `tb <n> <idx_bytes> <vectors file> [stall seed]` streams one vector of n int8 values per line, taking every output
// beat; with a non-zero seed the output side stalls (out_ready low) at random. Prints each output beat as a line
// "<first> <last>" (unsigned indices), then "latency <cycles>" (first input accepted to first output taken) and
// "cycles <n>" (first input to last output).
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "Vep_argmax_tb_top.h"
#include "ep_stream_tb.h"

int main(int argc, char **argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s <n> <idx_bytes> <vectors file> [stall seed]\n", argv[0]);
        return 2;
    }
    const int n = std::atoi(argv[1]), idx_bytes = std::atoi(argv[2]);
    uint32_t stall = argc > 4 ? static_cast<uint32_t>(std::strtoul(argv[4], nullptr, 10)) : 0;
    std::vector<std::vector<int8_t>> beats;
    if (!ep_read_beats(argv[3], n, beats)) {
        std::fprintf(stderr, "cannot read %d values per line from %s\n", n, argv[3]);
        return 2;
    }
    auto context = std::make_unique<VerilatedContext>();
    auto dut = std::make_unique<Vep_argmax_tb_top>(context.get());
    auto tick = [&]() {
        dut->clk = 1;
        dut->eval();
        dut->clk = 0;
        dut->eval();
    };
    auto index = [&](int which) {
        unsigned long v = 0;
        for (int b = idx_bytes - 1; b >= 0; b--) v = (v << 8) | static_cast<uint8_t>(ep_get_byte(dut->out_data, which * idx_bytes + b));
        return v;
    };
    dut->clk = 0;
    dut->rst = 1;
    dut->in_valid = 0;
    dut->out_ready = 0;
    dut->eval();
    tick();
    dut->rst = 0;
    size_t sent = 0, received = 0;
    long first_in = -1, first_out = -1, last_out = -1;
    const long limit = 64L * static_cast<long>(beats.size() + 8);
    for (long cycle = 0; received < beats.size(); cycle++) {
        if (cycle > limit) {
            std::fprintf(stderr, "%zu of %zu output beats after %ld cycles\n", received, beats.size(), cycle);
            return 1;
        }
        dut->in_valid = sent < beats.size();
        if (sent < beats.size()) for (int i = 0; i < n; i++) ep_put_byte(dut->in_data, i, beats[sent][static_cast<std::size_t>(i)]);
        dut->out_ready = stall == 0 || (ep_next_random(stall) & 3) != 0;
        dut->eval();
        const bool accepted = dut->in_valid && dut->in_ready;
        const bool taken = dut->out_valid && dut->out_ready;
        if (taken) {
            std::printf("%lu %lu\n", index(0), index(1));
            if (first_out < 0) first_out = cycle;
            last_out = cycle;
            received++;
        }
        if (accepted) {
            if (first_in < 0) first_in = cycle;
            sent++;
        }
        tick();
    }
    std::printf("latency %ld\ncycles %ld\n", first_out - first_in, last_out - first_in);
    dut->final();
    return 0;
}
