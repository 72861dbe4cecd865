// Verilator testbench of ep_avgpool_stream.v (through the wrapper ep_avgpool_stream_tb_top the test writes with the layer's constants):
// the pixel-stream driver of ep_pixel_stream_tb.h (arguments and output format there).
#include "Vep_avgpool_stream_tb_top.h"
#include "ep_pixel_stream_tb.h"

int main(int argc, char **argv) { return ep_pixel_stream_main<Vep_avgpool_stream_tb_top>(argc, argv); }
