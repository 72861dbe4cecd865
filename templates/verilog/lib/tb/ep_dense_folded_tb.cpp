// Verilator testbench of ep_dense_folded (through the wrapper ep_dense_folded_tb_top the test writes with the layer's
// constants): `tb <n_in> <n_out> <rf> <vectors file> [stall seed]` streams one input beat per line, taking every
// output beat; with a non-zero seed the output side stalls (out_ready low) at random and the input side leaves random
// gaps between beats (in_valid held once raised, as AXI-Stream requires). Prints each output beat as a line of n_out
// values, then "latency <cycles>" (first input accepted to first output taken), "interval <cycles>" (first input
// accepted to second input accepted, 0 with one vector) and "cycles <n>" (first input to last output).
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "Vep_dense_folded_tb_top.h"
#include "ep_stream_tb.h"

int main(int argc, char **argv) {
    if (argc < 5) {
        std::fprintf(stderr, "usage: %s <n_in> <n_out> <rf> <vectors file> [stall seed]\n", argv[0]);
        return 2;
    }
    const int n_in = std::atoi(argv[1]), n_out = std::atoi(argv[2]);
    const long rf = std::atol(argv[3]);
    uint32_t stall = argc > 5 ? static_cast<uint32_t>(std::strtoul(argv[5], nullptr, 10)) : 0;
    std::vector<std::vector<int8_t>> beats;
    if (!ep_read_beats(argv[4], n_in, beats)) {
        std::fprintf(stderr, "cannot read %d values per line from %s\n", n_in, argv[4]);
        return 2;
    }
    auto context = std::make_unique<VerilatedContext>();
    auto dut = std::make_unique<Vep_dense_folded_tb_top>(context.get());
    auto tick = [&]() {
        dut->clk = 1;
        dut->eval();
        dut->clk = 0;
        dut->eval();
    };
    dut->clk = 0;
    dut->rst = 1;
    dut->in_valid = 0;
    dut->out_ready = 0;
    dut->eval();
    tick();
    dut->rst = 0;
    size_t sent = 0, received = 0;
    long first_in = -1, second_in = -1, first_out = -1, last_out = -1, gap = 0;
    const long limit = 8L * (rf + 16) * static_cast<long>(beats.size() + 1);
    for (long cycle = 0; received < beats.size(); cycle++) {
        if (cycle > limit) {
            std::fprintf(stderr, "%zu of %zu output beats after %ld cycles\n", received, beats.size(), cycle);
            return 1;
        }
        // A gap (in_valid low) may only start right after a transfer; once raised, in_valid stays up until taken.
        if (gap > 0) gap--;
        dut->in_valid = sent < beats.size() && gap == 0;
        if (dut->in_valid) for (int i = 0; i < n_in; i++) ep_put_byte(dut->in_data, i, beats[sent][static_cast<std::size_t>(i)]);
        dut->out_ready = stall == 0 || (ep_next_random(stall) & 3) != 0;
        dut->eval();
        const bool accepted = dut->in_valid && dut->in_ready;
        const bool taken = dut->out_valid && dut->out_ready;
        if (taken) {
            for (int o = 0; o < n_out; o++) std::printf(o ? " %d" : "%d", static_cast<int>(ep_get_byte(dut->out_data, o)));
            std::printf("\n");
            if (first_out < 0) first_out = cycle;
            last_out = cycle;
            received++;
        }
        if (accepted) {
            if (first_in < 0) first_in = cycle;
            else if (second_in < 0) second_in = cycle;
            sent++;
            if (stall != 0) gap = static_cast<long>(ep_next_random(stall) % (2 * rf + 2));
        }
        tick();
    }
    std::printf("latency %ld\ninterval %ld\ncycles %ld\n", first_out - first_in, second_in < 0 ? 0 : second_in - first_in, last_out - first_in);
    dut->final();
    return 0;
}
