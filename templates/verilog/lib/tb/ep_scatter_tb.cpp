// Verilator testbench of ep_scatter.v (through the wrapper ep_scatter_tb_top the test writes): the stream driver of
// ep_pixel_stream_tb.h (arguments and output format there), one vector per input beat.
#include "Vep_scatter_tb_top.h"
#include "ep_pixel_stream_tb.h"

int main(int argc, char **argv) { return ep_pixel_stream_main<Vep_scatter_tb_top>(argc, argv); }
