// Verilator's lint (-Wall, every warning reported) of a Verilog design without building it: quick enough for tests
// that check generated Verilog (hostile names, every layer kind) where a full simulation build is not needed.

import { scaleForLoad } from '../load.js';
import { runTool } from '../build/tools.js';
import { verilator } from './harness.js';

export interface LintResult {
  clean: boolean;
  /** Verilator's %Warning and %Error lines (empty when clean). */
  messages: string[];
}

/** Lint `verilog` (absolute paths) with `top` as the top module and the given `defines` (name → value, as -D). */
export async function lintVerilog(top: string, verilog: string[], defines: Record<string, string> = {}): Promise<LintResult> {
  const d = Object.entries(defines).map(([name, value]) => `-D${name}=${value}`);
  const r = await runTool(verilator(), ['--lint-only', '-Wall', ...d, '--top-module', top, ...verilog], { timeoutMs: scaleForLoad(120_000), what: `linting the Verilog of ${top}` });
  const messages = `${r.stderr}\n${r.stdout}`.split('\n').filter((l) => /^%(Warning|Error)/.test(l));
  return { clean: r.exitCode === 0 && messages.length === 0, messages };
}
