// Names from a model in generated Verilog: unique simple identifiers (no keyword, no leading digit, no `$`, no escaped
// identifier, ASCII letters, digits and `_` only) and comment text that cannot end a comment or carry a control
// character. Model text reaches the Verilog only through this file.

import { VERILOG_RESERVED, verilogComment, verilogIdentifier } from '../../util/escape.js';

/** Identifiers of the generated Verilog's own: the stream ports, the clock and reset. */
export const VERILOG_PORT_NAMES = ['clk', 'rst', 'in_valid', 'in_ready', 'in_data', 'out_valid', 'out_ready', 'out_data'] as const;

/**
 * One Verilog scope's identifiers (a module's ports, wires and instances, and the module names of the design): each
 * name from the model becomes verilogIdentifier(name); one already taken (a keyword, a port, a library module, an
 * earlier name that sanitized the same) gets `_2`, `_3`, ... until free. The same names asked in the same order give
 * the same identifiers.
 */
export class VerilogNames {
  private readonly used = new Set<string>();

  /** `reserved`: identifiers the model's names must not take (ports, module names, fixed wires). */
  constructor(reserved: Iterable<string> = []) {
    for (const r of reserved) this.used.add(r);
  }

  /** Take `id` as it is (an identifier the emitter chose, not a model's): an error if it is not free or not simple. */
  fixed(id: string): string {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(id) || VERILOG_RESERVED.has(id)) throw new Error(`'${id}' is not a simple Verilog identifier`);
    if (this.used.has(id)) throw new Error(`the Verilog identifier '${id}' is taken twice`);
    this.used.add(id);
    return id;
  }

  /** A fresh identifier made from `name` (any text), with an optional fixed `suffix` (`_out_valid`). */
  unique(name: string, suffix = ''): string {
    const base = `${verilogIdentifier(name).replace(/_$/, '')}${suffix}`;
    let id = VERILOG_RESERVED.has(base) ? `${base}_` : base;
    for (let k = 2; this.used.has(id); k++) id = `${base}_${k}`;
    this.used.add(id);
    return id;
  }

  has(id: string): boolean {
    return this.used.has(id);
  }
}

/**
 * Model text for a Verilog comment (`//` or block): verilogComment (ASCII only, no block comment start or end,
 * controls and backslashes as escapes), and no `//` either (a space between the slashes), so no comment marker of any kind remains.
 */
export function verilogCommentText(text: string): string {
  return verilogComment(text).replace(/\/\//g, '/ /').replace(/\/\//g, '/ /');
}
