// Verilator testbench of ep_uart_tx and ep_uart_rx (through ep_uart_pair_tb_top): `tb <clocks per bit> <byte>...`.
// Transmitter: the bytes offered back to back; prints "tx <levels>", the tx line's level ('0'/'1') every cycle from the
// cycle after the first byte was taken, for 10 bits a byte and one more bit, then "taken <cycle>..." (when each byte
// was taken, from the first). Receiver: the bytes sent into rx as 8N1 frames back to back, then a one-cycle glitch,
// a frame of 0x55 with a stop bit of 0 (to be dropped), and a last frame of 0xa5; prints "rx <byte> <cycle>" for
// each byte received, the cycle counted from the start bit of the frame it came from (the 0x55 one included).
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "Vep_uart_pair_tb_top.h"
#include "verilated.h"

int main(int argc, char **argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s <clocks per bit> <byte>...\n", argv[0]);
        return 2;
    }
    const int cpb = std::atoi(argv[1]);
    std::vector<unsigned> bytes;
    for (int i = 2; i < argc; i++) bytes.push_back(static_cast<unsigned>(std::strtoul(argv[i], nullptr, 0)) & 0xffu);
    auto context = std::make_unique<VerilatedContext>();
    auto dut = std::make_unique<Vep_uart_pair_tb_top>(context.get());
    long cycle = 0;
    auto tick = [&]() {
        dut->clk = 1;
        dut->eval();
        dut->clk = 0;
        dut->eval();
        cycle++;
    };
    dut->clk = 0;
    dut->rst = 1;
    dut->tx_valid = 0;
    dut->rx = 1;
    dut->eval();
    tick();
    tick();
    dut->rst = 0;

    // Transmitter.
    std::size_t next = 0;
    long first = -1;
    std::string levels;
    std::vector<long> taken;
    const long span = 10L * cpb * static_cast<long>(bytes.size()) + cpb;
    while (first < 0 || cycle - first <= span) {
        dut->tx_valid = next < bytes.size();
        dut->tx_data = next < bytes.size() ? bytes[next] : 0;
        dut->eval();
        const bool take = dut->tx_valid && dut->tx_ready;
        tick();
        if (take) {
            if (first < 0) first = cycle - 1;
            taken.push_back(cycle - 1 - first);
            next++;
        }
        if (first >= 0 && cycle - first <= span) levels += dut->tx ? '1' : '0';
        if (cycle > 100000) return 1;
    }
    dut->tx_valid = 0;
    std::printf("tx %s\ntaken", levels.c_str());
    for (long t : taken) std::printf(" %ld", t);
    std::printf("\n");

    // Receiver: a list of (level, cycles) segments, with the start cycle of each frame.
    struct Frame { unsigned value; bool good_stop; };
    std::vector<Frame> frames;
    for (unsigned b : bytes) frames.push_back({b, true});
    std::vector<std::pair<int, int>> line; // level, clocks
    std::vector<long> frame_start;          // offset of each frame's start bit in the line
    long at = 0;
    auto add = [&](int level, int clocks) { line.push_back({level, clocks}); at += clocks; };
    auto frame = [&](unsigned v, bool good_stop) {
        frame_start.push_back(at);
        add(0, cpb);
        for (int b = 0; b < 8; b++) add((v >> b) & 1, cpb);
        add(good_stop ? 1 : 0, cpb);
    };
    add(1, 2 * cpb);
    for (auto &f : frames) frame(f.value, f.good_stop);
    add(1, 3 * cpb);
    add(0, 1); // a glitch
    add(1, 2 * cpb);
    frame(0x55, false);
    add(1, 2 * cpb);
    frame(0xa5, true);
    add(1, 3 * cpb);
    const long base = cycle;
    for (auto &seg : line) {
        for (int k = 0; k < seg.second; k++) {
            dut->rx = static_cast<uint8_t>(seg.first);
            tick();
            if (dut->rx_valid) {
                const long rel = cycle - 1 - base;
                long start = 0;
                for (long s : frame_start) if (s + cpb <= rel) start = s; // its output comes 9.5 bits after its start
                std::printf("rx %u %ld\n", static_cast<unsigned>(dut->rx_data), rel - start);
            }
        }
    }
    dut->final();
    return 0;
}
