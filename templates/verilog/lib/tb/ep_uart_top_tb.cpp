// Verilator testbench of ep_uart_top: the simulated UART pins bridged to stdin/stdout, so that a host process speaks
// the harness protocol to the design as to a board (hw-sim/verilator/uart-session.ts). `tb <clocks per bit>`: bytes
// read from stdin are sent into uart_rx as 8N1 frames back to back, bytes decoded from uart_tx (sampled in the
// middle of each bit) are written to stdout, flushed at each '\n'. The clock runs while there is work (bytes to
// send or being received, the design busy); when all is quiet the testbench blocks reading stdin; it ends when stdin
// is closed and all is quiet. A frame on uart_tx with a bad stop bit ends it with exit code 3.
#include <poll.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>

#include "Vep_uart_top.h"
#include "Vep_uart_top___024root.h"
#include "verilated.h"

int main(int argc, char **argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s <clocks per bit>\n", argv[0]);
        return 2;
    }
    const int cpb = std::atoi(argv[1]);
    if (cpb < 4) {
        std::fprintf(stderr, "clocks per bit must be at least 4\n");
        return 2;
    }
    auto context = std::make_unique<VerilatedContext>();
    auto dut = std::make_unique<Vep_uart_top>(context.get());
    std::deque<unsigned char> pending;
    bool eof = false;
    // Sender (into uart_rx): the frame being sent, its bit and the clocks left in the bit.
    int send_bit = -1, send_left = 0;
    unsigned send_frame = 0;
    // Receiver (from uart_tx): the bit being sampled (-1: idle), clocks until its middle, the bits so far.
    int recv_bit = -1, recv_wait = 0;
    unsigned recv_frame = 0;
    unsigned long long cycle = 0;
    // Cycles since the sender's last stop bit ended: the design's receiver gives the byte out around then, so the
    // design is not idle before a few bits more.
    long since_sent = 0;

    auto read_input = [&](bool block) {
        if (eof) return;
        struct pollfd p = {0, POLLIN, 0};
        if (!block && poll(&p, 1, 0) <= 0) return;
        unsigned char buf[4096];
        ssize_t n = read(0, buf, sizeof buf);
        if (n <= 0) eof = true;
        for (ssize_t i = 0; i < n; i++) pending.push_back(buf[i]);
    };

    dut->clk = 0;
    dut->uart_rx = 1;
    dut->eval();
    for (;;) {
        const bool quiet = cycle > 32 && pending.empty() && send_bit < 0 && since_sent > 2 * cpb + 8 && recv_bit < 0 && dut->rootp->ep_uart_top__DOT__idle;
        if (quiet) {
            std::fflush(stdout);
            if (eof) break;
            read_input(true);
            continue;
        }
        if ((cycle & 63) == 0) read_input(false);
        if (send_bit < 0 && !pending.empty() && cycle > 32) { // after the power-on reset
            send_frame = 0x200u | (static_cast<unsigned>(pending.front()) << 1); // start 0, data LSB first, stop 1
            pending.pop_front();
            send_bit = 0;
            send_left = cpb;
        }
        dut->uart_rx = send_bit < 0 ? 1 : (send_frame >> send_bit) & 1u;
        dut->clk = 1;
        dut->eval();
        dut->clk = 0;
        dut->eval();
        cycle++;
        since_sent++;
        if (send_bit >= 0 && --send_left == 0) {
            send_left = cpb;
            if (++send_bit == 10) {
                send_bit = -1;
                since_sent = 0;
            }
        }
        const unsigned line = dut->uart_tx;
        if (recv_bit < 0) {
            if (!line) {
                recv_bit = 0;
                recv_wait = cpb / 2 - 1;
                recv_frame = 0;
            }
        } else if (recv_wait > 0) {
            recv_wait--;
        } else {
            recv_frame |= line << recv_bit;
            recv_wait = cpb - 1;
            if (++recv_bit == 10) {
                recv_bit = -1;
                if ((recv_frame & 1u) || !(recv_frame & 0x200u)) {
                    std::fprintf(stderr, "bad frame on uart_tx at cycle %llu: 0x%03x\n", cycle, recv_frame);
                    return 3;
                }
                const int c = static_cast<int>((recv_frame >> 1) & 0xffu);
                std::fputc(c, stdout);
                if (c == '\n') std::fflush(stdout);
            }
        }
    }
    dut->final();
    return 0;
}
