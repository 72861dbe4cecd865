// Verilator testbench of ep_fifo.v and ep_fork.v (through the wrapper ep_fifo_tb_top the test writes: a FIFO alone, or
// a fork whose two branches are joined again by ep_add_stream): the pixel-stream driver of ep_pixel_stream_tb.h
// (arguments and output format there).
#include "Vep_fifo_tb_top.h"
#include "ep_pixel_stream_tb.h"

int main(int argc, char **argv) { return ep_pixel_stream_main<Vep_fifo_tb_top>(argc, argv); }
