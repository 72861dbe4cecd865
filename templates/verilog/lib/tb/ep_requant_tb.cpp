// Verilator testbench of ep_requant (through the wrapper ep_requant_tb_top the test writes with the module's
// ACC_BITS and MULT_BITS; its acc port is 32 bits wide and feeds the low ACC_BITS): reads one case per line from the
// file named by argv[1] ("acc multiplier shift zero_point act_min act_max", decimal), streams them one per clock
// (II = 1), and prints each output, in order, one per line. The test compares them with requantizeToInt8.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "Vep_requant_tb_top.h"
#include "verilated.h"

struct Case {
    long long acc, multiplier, shift, zero_point, act_min, act_max;
};

int main(int argc, char **argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s <cases file>\n", argv[0]);
        return 2;
    }
    std::FILE *f = std::fopen(argv[1], "r");
    if (!f) {
        std::perror(argv[1]);
        return 2;
    }
    std::vector<Case> cases;
    Case c;
    while (std::fscanf(f, "%lld %lld %lld %lld %lld %lld", &c.acc, &c.multiplier, &c.shift, &c.zero_point, &c.act_min, &c.act_max) == 6) cases.push_back(c);
    std::fclose(f);

    auto context = std::make_unique<VerilatedContext>();
    auto dut = std::make_unique<Vep_requant_tb_top>(context.get());
    size_t sent = 0, received = 0;
    dut->clk = 0;
    dut->en = 1;
    dut->rst = 1;
    dut->eval();
    dut->clk = 1;
    dut->eval();
    dut->clk = 0;
    dut->rst = 0;
    dut->eval();
    // Drive on the falling edge, sample after the rising edge; stop once every output came back.
    for (long cycle = 0; received < cases.size(); cycle++) {
        if (cycle > static_cast<long>(cases.size()) + 16) {
            std::fprintf(stderr, "ep_requant: %zu of %zu outputs after %ld cycles\n", received, cases.size(), cycle);
            return 1;
        }
        dut->in_valid = sent < cases.size();
        if (sent < cases.size()) {
            const Case &k = cases[sent++];
            dut->acc = static_cast<int32_t>(k.acc);
            dut->multiplier = static_cast<uint32_t>(k.multiplier);
            dut->shift = static_cast<uint8_t>(k.shift);
            dut->zero_point = static_cast<uint8_t>(static_cast<int8_t>(k.zero_point));
            dut->act_min = static_cast<uint8_t>(static_cast<int8_t>(k.act_min));
            dut->act_max = static_cast<uint8_t>(static_cast<int8_t>(k.act_max));
        }
        dut->clk = 1;
        dut->eval();
        if (dut->out_valid) {
            std::printf("%d\n", static_cast<int>(static_cast<int8_t>(dut->out)));
            received++;
        }
        dut->clk = 0;
        dut->eval();
    }
    dut->final();
    return 0;
}
