// Verilator testbench of ep_dense_folded (through the wrapper ep_dense_folded_tb_top the test writes with the layer's
// constants): `tb <n_in> <n_out> <rf> <vectors file> [stall seed] [serial in] [serial out]` streams one vector per
// line, in one beat or (serial in = 1, SERIAL_IN) one element per beat, and takes every output beat (whole vectors, or
// one element per beat with serial out = 1); with a non-zero seed the output side stalls (out_ready low) at random and
// the input side leaves random gaps between beats (in_valid held once raised, as AXI-Stream requires). Prints each
// output vector as a line of n_out values, then "latency <cycles>" (first input beat accepted to the first vector's
// last output beat taken), "interval <cycles>" (the first and second vectors' last output beats, 0 with one vector)
// and "cycles <n>" (first input beat to last output beat).
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
    const bool serial_in = argc > 6 && std::atoi(argv[6]) != 0, serial_out = argc > 7 && std::atoi(argv[7]) != 0;
    std::vector<std::vector<int8_t>> vectors;
    if (!ep_read_beats(argv[4], n_in, vectors)) {
        std::fprintf(stderr, "cannot read %d values per line from %s\n", n_in, argv[4]);
        return 2;
    }
    const int in_beat = serial_in ? 1 : n_in, out_beat = serial_out ? 1 : n_out;
    const size_t in_beats = vectors.size() * static_cast<size_t>(n_in / in_beat), out_beats = vectors.size() * static_cast<size_t>(n_out / out_beat);
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
    std::vector<int> out;
    std::vector<long> vector_done;
    long first_in = -1, last_out = -1, gap = 0;
    const long gap_max = 2 * rf / (n_in / in_beat) + 2;
    const long limit = 8L * (rf + 16 + n_in) * static_cast<long>(vectors.size() + 1);
    for (long cycle = 0; received < out_beats; cycle++) {
        if (cycle > limit) {
            std::fprintf(stderr, "%zu of %zu output beats after %ld cycles\n", received, out_beats, cycle);
            return 1;
        }
        // A gap (in_valid low) may only start right after a transfer; once raised, in_valid stays up until taken.
        if (gap > 0) gap--;
        dut->in_valid = sent < in_beats && gap == 0;
        if (dut->in_valid) {
            const auto &v = vectors[sent * static_cast<size_t>(in_beat) / static_cast<size_t>(n_in)];
            const int at = static_cast<int>(sent * static_cast<size_t>(in_beat) % static_cast<size_t>(n_in));
            for (int i = 0; i < in_beat; i++) ep_put_byte(dut->in_data, i, v[static_cast<std::size_t>(at + i)]);
        }
        dut->out_ready = stall == 0 || (ep_next_random(stall) & 3) != 0;
        dut->eval();
        const bool accepted = dut->in_valid && dut->in_ready;
        const bool taken = dut->out_valid && dut->out_ready;
        if (taken) {
            for (int o = 0; o < out_beat; o++) out.push_back(static_cast<int>(ep_get_byte(dut->out_data, o)));
            if (out.size() == static_cast<size_t>(n_out)) {
                for (int o = 0; o < n_out; o++) std::printf(o ? " %d" : "%d", out[static_cast<std::size_t>(o)]);
                std::printf("\n");
                out.clear();
                vector_done.push_back(cycle);
            }
            last_out = cycle;
            received++;
        }
        if (accepted) {
            if (first_in < 0) first_in = cycle;
            sent++;
            if (stall != 0) gap = static_cast<long>(ep_next_random(stall) % static_cast<uint32_t>(gap_max));
        }
        tick();
    }
    std::printf("latency %ld\ninterval %ld\ncycles %ld\n", vector_done[0] - first_in, vector_done.size() < 2 ? 0 : vector_done[1] - vector_done[0], last_out - first_in);
    dut->final();
    return 0;
}
