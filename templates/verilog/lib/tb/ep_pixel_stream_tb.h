// Shared driver of the pixel-stream testbenches (ep_conv_stream_tb.cpp, ep_maxpool_stream_tb.cpp, ep_collect_tb.cpp):
//   tb <in bytes> <out bytes> <beats file> <outputs> <frame beats> <frame gap> <input gap seed> <stall seed> [cycles]
// streams the file's beats (one per line) into a module with the stream ports of the RTL contract, frames of
// <frame beats> beats, in_valid held low for <frame gap> cycles after each frame; with a non-zero input gap seed the
// producer also pauses at random inside frames (a beat once offered stays offered until taken), with a non-zero
// stall seed the consumer drops out_ready at random. Prints "f <cycle>" when the first beat of each frame is taken,
// "o <cycle> <values...>" for each output beat taken, until <outputs> beats are out; exits 1 if they do not come
// within [cycles] (by default 64 per beat in and out: a folded layer, slower, gives its own bound).
#ifndef EP_PIXEL_STREAM_TB_H
#define EP_PIXEL_STREAM_TB_H

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "ep_stream_tb.h"

template <typename Top>
static int ep_pixel_stream_main(int argc, char **argv) {
    if (argc < 9) {
        std::fprintf(stderr, "usage: %s <in bytes> <out bytes> <beats file> <outputs> <frame beats> <frame gap> <input gap seed> <stall seed>\n", argv[0]);
        return 2;
    }
    const int in_bytes = std::atoi(argv[1]), out_bytes = std::atoi(argv[2]);
    const long outputs = std::atol(argv[4]), frame = std::atol(argv[5]), gap = std::atol(argv[6]);
    uint32_t gaps = static_cast<uint32_t>(std::strtoul(argv[7], nullptr, 10));
    uint32_t stall = static_cast<uint32_t>(std::strtoul(argv[8], nullptr, 10));
    std::vector<std::vector<int8_t>> beats;
    if (!ep_read_beats(argv[3], in_bytes, beats) || frame < 1) {
        std::fprintf(stderr, "cannot read %d values per line from %s\n", in_bytes, argv[3]);
        return 2;
    }
    auto context = std::make_unique<VerilatedContext>();
    auto dut = std::make_unique<Top>(context.get());
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
    std::size_t sent = 0;
    long received = 0, wait = 0;
    bool offered = false;
    const long limit = argc > 9 ? std::atol(argv[9])
                                : 64L * static_cast<long>(beats.size() + static_cast<std::size_t>(outputs) + 16) + gap * static_cast<long>(beats.size() / static_cast<std::size_t>(frame) + 1);
    for (long cycle = 0; received < outputs; cycle++) {
        if (cycle > limit) {
            std::fprintf(stderr, "%ld of %ld output beats after %ld cycles\n", received, outputs, cycle);
            return 1;
        }
        if (!offered && sent < beats.size() && wait == 0) offered = gaps == 0 || (ep_next_random(gaps) & 3) != 0;
        dut->in_valid = offered;
        if (sent < beats.size()) for (int i = 0; i < in_bytes; i++) ep_put_byte(dut->in_data, i, beats[sent][static_cast<std::size_t>(i)]);
        dut->out_ready = stall == 0 || (ep_next_random(stall) & 3) != 0;
        dut->eval();
        const bool accepted = dut->in_valid && dut->in_ready;
        if (dut->out_valid && dut->out_ready) {
            std::printf("o %ld", cycle);
            for (int o = 0; o < out_bytes; o++) std::printf(" %d", static_cast<int>(ep_get_byte(dut->out_data, o)));
            std::printf("\n");
            received++;
        }
        if (wait > 0) wait--;
        if (accepted) {
            if (sent % static_cast<std::size_t>(frame) == 0) std::printf("f %ld\n", cycle);
            sent++;
            offered = false;
            if (sent % static_cast<std::size_t>(frame) == 0) wait = gap;
        }
        tick();
    }
    dut->final();
    return 0;
}

#endif
