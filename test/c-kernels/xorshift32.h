/* The seeded xorshift32 stream of the host test programs (quantize-int-host.c, mac-ct-host.c): the same sequence on
 * every run and machine. */
#ifndef EP_TEST_XORSHIFT32_H
#define EP_TEST_XORSHIFT32_H
#include <stdint.h>

static uint32_t state = 2463534242u;
static uint32_t rnd(void) {
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}
#endif
