// Verilator testbench of a whole generated model (any design, through its wrapper ep_model_tb_top, which
// src/emit/verilog/emit-rtl.ts renders with the model's trace ports):
//
//   tb <vectors file> <in bytes> <in beats> <out bytes> <out beats> <trace bytes per layer, comma-separated> [stall seed]
//      [cycles per vector: the bound on the run is 10000 + 256 per beat + this per vector, default 0]
//
// Reads one inference per line (in beats x in bytes int8 values, beat after beat) and streams every beat back to
// back with valid/ready; with a non-zero seed the output side stalls (out_ready low) at random. Prints
//   o <byte> ...            each output beat (signed bytes; an index is its unsigned little-endian bytes)
//   t <layer> <byte> ...    each beat leaving layer <layer> (0 = first layer with hardware), in order
// then the sentinel line
//   EP_MODEL_TB {"vectors":N,"latency":L,"firstLatency":F,"ii":I,"cycles":C}
// latency: the most cycles from an inference's first input beat accepted to its last output beat taken (firstLatency:
// the first inference's); ii: the most cycles between the first input beats of consecutive inferences; cycles: first
// input beat to last output beat. Without stalls, latency and ii are the design's.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "Vep_model_tb_top.h"
#include "ep_stream_tb.h"

static std::vector<int> parse_list(const char *text) {
    std::vector<int> out;
    const char *p = text;
    while (*p) {
        char *end = nullptr;
        long v = std::strtol(p, &end, 10);
        if (end == p) break;
        out.push_back(static_cast<int>(v));
        p = *end == ',' ? end + 1 : end;
    }
    return out;
}

int main(int argc, char **argv) {
    if (argc < 7) {
        std::fprintf(stderr, "usage: %s <vectors file> <in bytes> <in beats> <out bytes> <out beats> <trace bytes,...> [stall seed] [cycles per vector]\n", argv[0]);
        return 2;
    }
    const int in_bytes = std::atoi(argv[2]), in_beats = std::atoi(argv[3]);
    const int out_bytes = std::atoi(argv[4]), out_beats = std::atoi(argv[5]);
    const std::vector<int> trace_bytes = parse_list(argv[6]);
    uint32_t stall = argc > 7 ? static_cast<uint32_t>(std::strtoul(argv[7], nullptr, 10)) : 0;
    const long per_vector = argc > 8 ? std::atol(argv[8]) : 0;
    if (in_bytes < 1 || in_beats < 1 || out_bytes < 1 || out_beats < 1 || trace_bytes.empty()) {
        std::fprintf(stderr, "bad stream sizes\n");
        return 2;
    }
    std::vector<std::vector<int8_t>> vectors;
    if (!ep_read_beats(argv[1], in_bytes * in_beats, vectors)) {
        std::fprintf(stderr, "cannot read %d values per line from %s\n", in_bytes * in_beats, argv[1]);
        return 2;
    }
    std::vector<int> trace_offset;
    int offset = 0;
    for (int b : trace_bytes) {
        trace_offset.push_back(offset);
        offset += b;
    }

    auto context = std::make_unique<VerilatedContext>();
    auto dut = std::make_unique<Vep_model_tb_top>(context.get());
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

    const size_t total_in = vectors.size() * static_cast<size_t>(in_beats);
    const size_t total_out = vectors.size() * static_cast<size_t>(out_beats);
    std::vector<long> first_in(vectors.size(), -1);
    size_t sent = 0, received = 0;
    long latency = 0, first_latency = -1, ii = 0, start = -1, last_out = -1;
    const long limit = 10000L + 256L * static_cast<long>(total_in + total_out) + per_vector * static_cast<long>(vectors.size());
    for (long cycle = 0; received < total_out; cycle++) {
        if (cycle > limit) {
            std::fprintf(stderr, "%zu of %zu output beats after %ld cycles\n", received, total_out, cycle);
            return 1;
        }
        const bool have = sent < total_in;
        dut->in_valid = have;
        if (have) {
            const std::vector<int8_t> &v = vectors[sent / static_cast<size_t>(in_beats)];
            const size_t base = (sent % static_cast<size_t>(in_beats)) * static_cast<size_t>(in_bytes);
            for (int i = 0; i < in_bytes; i++) ep_put_byte(dut->in_data, i, v[base + static_cast<size_t>(i)]);
        }
        dut->out_ready = stall == 0 || (ep_next_random(stall) & 3) != 0;
        dut->eval();
        const bool accepted = dut->in_valid && dut->in_ready;
        const bool taken = dut->out_valid && dut->out_ready;
        for (size_t k = 0; k < trace_bytes.size(); k++) {
            if (!((ep_get_byte(dut->trace_fire, static_cast<int>(k / 8)) >> (k % 8)) & 1)) continue;
            std::printf("t %zu", k);
            for (int i = 0; i < trace_bytes[k]; i++) std::printf(" %d", static_cast<int>(ep_get_byte(dut->trace_data, trace_offset[k] + i)));
            std::printf("\n");
        }
        if (taken) {
            std::printf("o");
            for (int i = 0; i < out_bytes; i++) std::printf(" %d", static_cast<int>(ep_get_byte(dut->out_data, i)));
            std::printf("\n");
            const size_t vector = received / static_cast<size_t>(out_beats);
            received++;
            last_out = cycle;
            if (received % static_cast<size_t>(out_beats) == 0) {
                const long l = cycle - first_in[vector];
                if (l > latency) latency = l;
                if (vector == 0) first_latency = l;
            }
        }
        if (accepted) {
            if (sent % static_cast<size_t>(in_beats) == 0) {
                const size_t vector = sent / static_cast<size_t>(in_beats);
                first_in[vector] = cycle;
                if (vector > 0 && cycle - first_in[vector - 1] > ii) ii = cycle - first_in[vector - 1];
                if (vector == 0) start = cycle;
            }
            sent++;
        }
        tick();
    }
    std::printf("EP_MODEL_TB {\"vectors\":%zu,\"latency\":%ld,\"firstLatency\":%ld,\"ii\":%ld,\"cycles\":%ld}\n", vectors.size(), latency, first_latency, ii, last_out - start);
    dut->final();
    return 0;
}
