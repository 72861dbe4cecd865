// st-flash's command line (stlink-tools) that writes a raw firmware image at the part's flash base and resets it (pure).

import type { FlashableBoard } from '../../src/targets/flashing.js';

/** st-flash writes a binary image (not an ELF): `bin` is the firmware as objcopy -O binary writes it, starting at the flash base. */
export function stFlashArgs(board: FlashableBoard, bin: string): string[] {
  return ['--reset', 'write', bin, board.base];
}
