/* edgeprune hw-sim UART driver: Arm CMSDK APB UART (MPS2 boards: UART0 at 0x40004000, the first
 * -serial of QEMU's mps2-an385/an386/an500). Polled, 8N1. */
#include <stdint.h>

#include "harness.h"

#ifndef EPHW_UART_BASE
#error "EPHW_UART_BASE must be defined (the target's uart.base)"
#endif

#define REG32(off) (*(volatile uint32_t *)((uintptr_t)(EPHW_UART_BASE) + (off)))
#define UART_DATA REG32(0x00u)
#define UART_STATE REG32(0x04u) /* bit 0: TX buffer full, bit 1: RX buffer full */
#define UART_CTRL REG32(0x08u)  /* bit 0: TX enable, bit 1: RX enable */
#define UART_BAUDDIV REG32(0x10u)

void ephw_uart_init(void) {
  UART_BAUDDIV = 217u; /* 25 MHz / 115200 */
  UART_CTRL = 3u;
  /* QEMU only re-polls its character backend when the guest reads DATA: without this read it would
   * never deliver the first byte (the RX enable above does not wake it). */
  (void)UART_DATA;
}

int ephw_getc(void) {
  while (!(UART_STATE & 2u)) {
  }
  return (int)(UART_DATA & 0xffu);
}

void ephw_putc(int c) {
  while (UART_STATE & 1u) {
  }
  UART_DATA = (uint32_t)(c & 0xff);
}

void ephw_flush(void) {
  while (UART_STATE & 1u) {
  }
}
