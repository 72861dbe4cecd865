// The board constraints of an FPGA target for the UART top level (templates/verilog/lib/ep_uart_top.v): a .pcf for
// nextpnr-ice40, an .xdc for 7-series, with the clock, UART pins and the board clock's frequency.

import type { FpgaTarget } from './schema.js';

/** The top level's port names the constraints bind (ep_uart_top's). */
export interface BoardPorts {
  clock: string;
  uartRx: string;
  uartTx: string;
}

export const UART_TOP_PORTS: BoardPorts = { clock: 'clk', uartRx: 'uart_rx', uartTx: 'uart_tx' };

export interface BoardConstraints {
  /** 'board.pcf' (iCE40) or 'board.xdc' (7-series). */
  file: string;
  text: string;
}

/** The constraints file binding `ports` to the target's pins. */
export function boardConstraints(t: FpgaTarget, ports: BoardPorts = UART_TOP_PORTS): BoardConstraints {
  const head = `# ${t.name}: ${t.board}, clock ${t.clockHz / 1e6} MHz, UART ${t.baudRate} baud (targets/${t.name}.json)`;
  const bind: [string, string][] = [[ports.clock, t.pins.clock], [ports.uartRx, t.pins.uartRx], [ports.uartTx, t.pins.uartTx]];
  if (t.family === 'ice40') {
    const lines = [head, ...bind.map(([port, p]) => `set_io ${port} ${p}`), `set_frequency ${ports.clock} ${t.clockHz / 1e6}`];
    return { file: 'board.pcf', text: `${lines.join('\n')}\n` };
  }
  const io = t.pins.ioStandard ?? 'LVCMOS33';
  const periodNs = (1e9 / t.clockHz).toFixed(3);
  const lines = [
    head,
    ...bind.map(([port, p]) => `set_property -dict { PACKAGE_PIN ${p} IOSTANDARD ${io} } [get_ports { ${port} }]`),
    `create_clock -add -name sys_clk_pin -period ${periodNs} [get_ports { ${ports.clock} }]`,
  ];
  return { file: 'board.xdc', text: `${lines.join('\n')}\n` };
}
