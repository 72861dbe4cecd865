/* edgeprune hw-sim UART driver: Arm PL011 as on the Stellaris LM3S6965 (UART0 at 0x4000C000 on
 * PA0/PA1, the first -serial of QEMU's lm3s6965evb). Polled, 8N1, FIFOs on. The clock gating and
 * pin setup is the LM3S6965's; the divisor assumes the 12.5 MHz system clock that QEMU derives
 * from the reset value of RCC (a real board's reset clock differs: set the divisor for it). */
#include <stdint.h>

#include "harness.h"

#ifndef EPHW_UART_BASE
#error "EPHW_UART_BASE must be defined (the target's uart.base)"
#endif

#define REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))
#define UART_DR REG32((EPHW_UART_BASE) + 0x000u)
#define UART_FR REG32((EPHW_UART_BASE) + 0x018u)
#define UART_IBRD REG32((EPHW_UART_BASE) + 0x024u)
#define UART_FBRD REG32((EPHW_UART_BASE) + 0x028u)
#define UART_LCRH REG32((EPHW_UART_BASE) + 0x02Cu)
#define UART_CR REG32((EPHW_UART_BASE) + 0x030u)
#define FR_TXFE (1u << 7)
#define FR_TXFF (1u << 5)
#define FR_RXFE (1u << 4)
#define FR_BUSY (1u << 3)

#define SYSCTL_RCGC1 REG32(0x400FE104u)
#define SYSCTL_RCGC2 REG32(0x400FE108u)
#define GPIOA_AFSEL REG32(0x40004420u)
#define GPIOA_DEN REG32(0x4000451Cu)

void ephw_uart_init(void) {
  if ((uintptr_t)(EPHW_UART_BASE) == 0x4000C000u) {
    SYSCTL_RCGC1 |= 1u; /* UART0 clock */
    SYSCTL_RCGC2 |= 1u; /* GPIO port A clock */
    (void)SYSCTL_RCGC2; /* a few cycles before the port is usable */
    GPIOA_AFSEL |= 3u;  /* PA0/PA1: UART0 */
    GPIOA_DEN |= 3u;
  }
  UART_CR = 0;
  UART_IBRD = 6u;  /* 12.5 MHz / (16 * 115200) = 6.78 */
  UART_FBRD = 50u; /* 0.78 * 64 */
  UART_LCRH = 0x70u; /* 8 bits, FIFOs enabled */
  UART_CR = 0x301u; /* UARTEN | TXE | RXE */
  (void)UART_DR; /* QEMU re-polls its character backend on a DR read, not on enabling RX */
}

int ephw_getc(void) {
  while (UART_FR & FR_RXFE) {
  }
  return (int)(UART_DR & 0xffu);
}

void ephw_putc(int c) {
  while (UART_FR & FR_TXFF) {
  }
  UART_DR = (uint32_t)(c & 0xff);
}

void ephw_flush(void) {
  while (UART_FR & FR_BUSY) {
  }
}
