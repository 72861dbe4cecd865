// Several xc7 tops synthesized in one Yosys run, each as `synthesize` synthesizes it alone (synth_xilinx -family xc7
// -flatten -top <top>, then `stat -json`): Xilinx's cell library is read once and the design saved before the first
// top, restored before each; synth_xilinx then runs from its `prepare` step (its `begin` step is that library read and
// `hierarchy -check -top`, done here). The cell counts are the same as one run per top; the run is shorter.

import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir, removeTempDir } from '../../src/util/temp-dir.js';
import { runTool } from '../build/tools.js';
import { scaleForLoad } from '../load.js';
import { resourcesOf, yosys, type SynthesisResources } from './synth.js';

export interface SynthesizeEachInput {
  /** Verilog sources (absolute paths) holding every top. */
  verilog: string[];
  /** Module names, each synthesized on its own. */
  tops: string[];
  /** Map multipliers to DSP48E1 blocks (the default, as synth_xilinx infers them); false: -nodsp. */
  dsp?: boolean;
}

const TIMEOUT_MS = 600_000;

/** Yosys's begin step of synth_xilinx (its cell library), run once for every top. */
const XC7_LIBRARY = ['read_verilog -lib -specify +/xilinx/cells_sim.v', 'read_verilog -lib +/xilinx/cells_xtra.v'];

function plainName(name: string, what: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_$]*$/.test(name)) throw new Error(`${what} '${name}' is not a plain Verilog identifier`);
  return name;
}

/** The Yosys script: the library and sources read once, then per top (stat file i): restore, elaborate, synthesize, count. */
export function synthesizeEachScript(input: SynthesizeEachInput): string {
  const files = input.verilog.map((f) => {
    if (/["\n\r]/.test(f)) throw new Error(`cannot pass the path '${f}' to Yosys: it holds a quote or a line break`);
    return `"${f}"`;
  });
  const lines = [...XC7_LIBRARY, `read_verilog ${files.join(' ')}`, 'design -save sources'];
  input.tops.forEach((t, i) => {
    const top = plainName(t, 'top');
    lines.push('design -load sources', `hierarchy -check -top ${top}`, `synth_xilinx -family xc7 -flatten -top ${top}${input.dsp === false ? ' -nodsp' : ''} -run prepare:`, `tee -q -o stat-${i}.json stat -json`);
  });
  return lines.join('\n') + '\n';
}

/** Each top's resources (in the order of `tops`), as `synthesize({ family: 'xc7', top })` counts them. */
export async function synthesizeEach(input: SynthesizeEachInput): Promise<SynthesisResources[]> {
  const work = makeTempDir('yosys-each');
  try {
    const script = path.join(work, 'synth.ys');
    fs.writeFileSync(script, synthesizeEachScript(input));
    const r = await runTool(yosys(), ['-q', '-s', script], { timeoutMs: scaleForLoad(TIMEOUT_MS), cwd: work, what: `synthesizing ${input.tops.join(', ')} for xc7 with Yosys` });
    return input.tops.map((top, i) => {
      const statFile = path.join(work, `stat-${i}.json`);
      if (r.exitCode !== 0 || !fs.existsSync(statFile)) {
        const errors = `${r.stderr}\n${r.stdout}`.split('\n').filter((l) => /ERROR|error/.test(l));
        throw new Error(`Yosys could not synthesize ${top} for xc7 (exit ${r.exitCode}): ${(errors.length ? errors : [r.stderr.trim()]).slice(0, 5).join(' | ')}`);
      }
      const stat = JSON.parse(fs.readFileSync(statFile, 'utf8')) as { design?: { num_cells_by_type?: Record<string, number> } };
      const cells = stat.design?.num_cells_by_type ?? {};
      return { ...resourcesOf('xc7', cells), cells, source: 'synthesis estimate (Yosys synth_xilinx -family xc7)' };
    });
  } finally {
    removeTempDir(work);
  }
}
