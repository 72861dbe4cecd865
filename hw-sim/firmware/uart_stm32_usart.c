/* edgeprune hw-sim UART driver: STM32F4 USART (USART1 at 0x40011000 on TX PA9 / RX PA10, the
 * first -serial of QEMU's netduinoplus2). Polled, 8N1. The clock and pin setup is for a real
 * STM32F405 running from its 16 MHz HSI after reset; QEMU ignores it. QEMU drops received bytes
 * while the USART is disabled: the host pings until answered. */
#include <stdint.h>

#include "harness.h"

#ifndef EPHW_UART_BASE
#error "EPHW_UART_BASE must be defined (the target's uart.base)"
#endif

#define REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))
#define USART_SR REG32((EPHW_UART_BASE) + 0x00u)
#define USART_DR REG32((EPHW_UART_BASE) + 0x04u)
#define USART_BRR REG32((EPHW_UART_BASE) + 0x08u)
#define USART_CR1 REG32((EPHW_UART_BASE) + 0x0Cu)
#define SR_TXE (1u << 7)
#define SR_TC (1u << 6)
#define SR_RXNE (1u << 5)
#define CR1_UE (1u << 13)
#define CR1_TE (1u << 3)
#define CR1_RE (1u << 2)

#define RCC_AHB1ENR REG32(0x40023830u)
#define RCC_APB2ENR REG32(0x40023844u)
#define GPIOA_MODER REG32(0x40020000u)
#define GPIOA_AFRH REG32(0x40020024u)

void ephw_uart_init(void) {
  if ((uintptr_t)(EPHW_UART_BASE) == 0x40011000u) {
    RCC_AHB1ENR |= 1u;      /* GPIOA clock */
    RCC_APB2ENR |= 1u << 4; /* USART1 clock */
    GPIOA_MODER = (GPIOA_MODER & ~(0xFu << 18)) | (0xAu << 18);  /* PA9, PA10: alternate function */
    GPIOA_AFRH = (GPIOA_AFRH & ~(0xFFu << 4)) | (0x77u << 4);    /* AF7 = USART1 */
  }
  USART_BRR = 0x8Bu; /* 16 MHz / (16 * 8.6875) = 115107 baud */
  USART_CR1 = CR1_UE | CR1_TE | CR1_RE;
  (void)USART_DR; /* QEMU re-polls its character backend on a DR read, not on enabling RX */
}

int ephw_getc(void) {
  while (!(USART_SR & SR_RXNE)) {
  }
  return (int)(USART_DR & 0xffu);
}

void ephw_putc(int c) {
  while (!(USART_SR & SR_TXE)) {
  }
  USART_DR = (uint32_t)(c & 0xff);
}

void ephw_flush(void) {
  while (!(USART_SR & SR_TC)) {
  }
}
