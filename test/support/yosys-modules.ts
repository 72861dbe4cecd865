// Several leaf modules synthesized for xc7 in one Yosys run, for tests that count what synth_xilinx makes of each: a
// wrapper top instantiates every module once, synth_xilinx keeps the hierarchy (no -flatten), and `stat -json` counts
// each module's cells. A leaf module (no instances of its own) is mapped alone either way, so its cells are those of a
// `synthesize({ family: 'xc7', top: <module> })` run less that top's I/O buffers (IBUF, OBUF, BUFG): checked on the
// five multiplies of test/cost/fpga-cost-xc7.test.ts with Yosys 0.23. One synth_xilinx instead of one per module: the
// techmap libraries it parses on every call (most of its 5-6 CPU-s on a small design) are parsed once.
import fs from 'node:fs';
import path from 'node:path';
import { runTool } from '../../hw-sim/build/tools.js';
import { scaleForLoad } from '../../hw-sim/load.js';
import { resourcesOf, yosys, type SynthesisResources } from '../../hw-sim/yosys/synth.js';
import { makeTempDir, removeTempDir } from '../../src/util/temp-dir.js';

export interface LeafModule {
  /** The module's name (a plain Verilog identifier). */
  name: string;
  /** Its ports as the wrapper connects them: each input from a top-level input, each output to a top-level output. */
  ports: { name: string; dir: 'input' | 'output'; width: number }[];
}

const TOP = 'ep_test_modules_top';

/** The wrapper: one instance of each module, every port of it on a port of the top (nothing left to optimize away). */
export function modulesWrapper(modules: LeafModule[]): string {
  for (const m of modules) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(m.name)) throw new Error(`module '${m.name}' is not a plain Verilog identifier`);
  const ports = ['input wire clk', ...modules.flatMap((m, i) => m.ports.filter((p) => p.name !== 'clk').map((p) => `${p.dir} wire [${p.width - 1}:0] m${i}_${p.name}`))];
  const instances = modules.map((m, i) => `    ${m.name} u${i} (${m.ports.map((p) => `.${p.name}(${p.name === 'clk' ? 'clk' : `m${i}_${p.name}`})`).join(', ')});`);
  return [`module ${TOP} (${ports.join(', ')});`, ...instances, 'endmodule', ''].join('\n');
}

/** Each module's resources (in the order given), synthesized for xc7 by synth_xilinx in one run, hierarchy kept. */
export async function synthesizeLeafModulesXc7(verilog: string[], modules: LeafModule[]): Promise<SynthesisResources[]> {
  const work = makeTempDir('yosys-modules');
  try {
    const top = path.join(work, `${TOP}.v`);
    fs.writeFileSync(top, modulesWrapper(modules));
    const files = [...verilog, top].map((f) => `"${f}"`).join(' ');
    const script = `read_verilog ${files}; synth_xilinx -family xc7 -top ${TOP}; tee -q -o stat.json stat -json`;
    const r = await runTool(yosys(), ['-q', '-p', script], { timeoutMs: scaleForLoad(600_000), cwd: work, what: `synthesizing ${modules.map((m) => m.name).join(', ')} for xc7 with Yosys` });
    const statFile = path.join(work, 'stat.json');
    if (r.exitCode !== 0 || !fs.existsSync(statFile)) throw new Error(`Yosys could not synthesize the modules (exit ${r.exitCode}): ${r.stderr.trim().split('\n').slice(0, 5).join(' | ')}`);
    const stat = JSON.parse(fs.readFileSync(statFile, 'utf8')) as { modules: Record<string, { num_cells_by_type?: Record<string, number> }> };
    return modules.map((m) => {
      const cells = stat.modules[`\\${m.name}`]?.num_cells_by_type;
      if (!cells) throw new Error(`Yosys's stat has no module ${m.name}`);
      return { ...resourcesOf('xc7', cells), cells, source: 'synthesis estimate (Yosys synth_xilinx -family xc7)' };
    });
  } finally {
    removeTempDir(work);
  }
}
