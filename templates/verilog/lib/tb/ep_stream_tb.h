// Shared by the Verilator testbenches of the stream modules: byte access to a port of any width (Verilator gives
// ports up to 64 bits as integers and wider ones as VlWide arrays of 32-bit words), and the vector file reader
// (one beat per line, decimal int8 values).
#ifndef EP_STREAM_TB_H
#define EP_STREAM_TB_H

#include <cstdint>
#include <cstdio>
#include <vector>

#include "verilated.h"

template <typename T>
static void ep_put_byte(T &port, int i, int8_t v) {
    const unsigned shift = 8u * static_cast<unsigned>(i);
    port = static_cast<T>((port & ~(static_cast<T>(0xff) << shift)) | (static_cast<T>(static_cast<uint8_t>(v)) << shift));
}

template <std::size_t N>
static void ep_put_byte(VlWide<N> &port, int i, int8_t v) {
    const unsigned shift = 8u * static_cast<unsigned>(i % 4);
    uint32_t &word = port[static_cast<std::size_t>(i / 4)];
    word = (word & ~(0xffu << shift)) | (static_cast<uint32_t>(static_cast<uint8_t>(v)) << shift);
}

template <typename T>
static int8_t ep_get_byte(const T &port, int i) {
    return static_cast<int8_t>(static_cast<uint8_t>(port >> (8u * static_cast<unsigned>(i))));
}

template <std::size_t N>
static int8_t ep_get_byte(const VlWide<N> &port, int i) {
    return static_cast<int8_t>(static_cast<uint8_t>(port[static_cast<std::size_t>(i / 4)] >> (8u * static_cast<unsigned>(i % 4))));
}

// Beats of `width` int8 values, one per line; false when the file cannot be read or a line is short.
static bool ep_read_beats(const char *file, int width, std::vector<std::vector<int8_t>> &beats) {
    std::FILE *f = std::fopen(file, "r");
    if (!f) return false;
    for (;;) {
        std::vector<int8_t> beat(static_cast<std::size_t>(width));
        int got = 0;
        for (int i = 0; i < width; i++) {
            int v;
            if (std::fscanf(f, "%d", &v) != 1) break;
            beat[static_cast<std::size_t>(i)] = static_cast<int8_t>(v);
            got++;
        }
        if (got == 0) break;
        if (got != width) {
            std::fclose(f);
            return false;
        }
        beats.push_back(beat);
    }
    std::fclose(f);
    return true;
}

// A deterministic generator for stall patterns (xorshift32).
static uint32_t ep_next_random(uint32_t &state) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
}

#endif
