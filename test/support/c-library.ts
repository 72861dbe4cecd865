// Helpers for tests that build what `edgeprune compile` writes as a user would: host tools run through hw-sim's
// runTool, and a small main.c that feeds fixed inputs to one or more generated libraries and prints the outputs.
import { expect } from 'vitest';
import { runTool, type Tool } from '../../hw-sim/build/tools.js';
import { runGraph } from '../../src/ir/interpreter.js';
import { Tensor } from '../../src/ir/tensor.js';
import type { Graph } from '../../src/ir/graph.js';

export const GCC: Tool = { command: 'gcc', debianPackage: 'gcc' };
export const CMAKE: Tool = { command: 'cmake', debianPackage: 'cmake' };
export const MAKE: Tool = { command: 'make', debianPackage: 'make' };
export const OBJDUMP: Tool = { command: 'objdump', debianPackage: 'binutils' };
export const ARM_GCC: Tool = { command: 'arm-none-eabi-gcc', debianPackage: 'gcc-arm-none-eabi' };
export const ARM_OBJDUMP: Tool = { command: 'arm-none-eabi-objdump', debianPackage: 'binutils-arm-none-eabi' };

/** The section of symbol `name` in an object (objdump -t), e.g. '.bss'. */
export async function symbolSection(objdump: Tool, object: string, name: string): Promise<string | undefined> {
  const table = await mustRun(objdump, ['-t', object]);
  return new RegExp(`^\\S+\\s+[lgw ]+\\s*O\\s+(\\S+)\\s+\\S+\\s+${name}$`, 'm').exec(table)?.[1];
}

/** The alignment (bytes) of each section of an object (objdump -h: "2**3" is 8). */
export async function sectionAlignments(objdump: Tool, object: string): Promise<Map<string, number>> {
  const headers = await mustRun(objdump, ['-h', object]);
  return new Map([...headers.matchAll(/^\s*\d+\s+(\S+)\s+.*\s2\*\*(\d+)\s*$/gm)].map((m) => [m[1], 2 ** Number(m[2])]));
}

/** Run a tool and expect exit 0; returns its stdout. */
export async function mustRun(tool: Tool, args: string[], cwd?: string): Promise<string> {
  const r = await runTool(tool, args, { timeoutMs: 300_000, cwd, what: `${tool.command} ${args.join(' ')}` });
  expect(r.exitCode, `${tool.command} ${args.join(' ')}:\n${r.stderr}`).toBe(0);
  return r.stdout;
}

/** The fixed input the programs feed (as C computes it: ((i * 37) % 17) / 16). */
export function fixedInput(g: Graph): Tensor {
  const shape = g.inputs[0].shape as number[];
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.fromNumbers('float32', shape, Array.from({ length: n }, (_, i) => ((i * 37) % 17) / 16));
}

/** The interpreter's first output on the fixed input. */
export function expectedOutput(g: Graph): number[] {
  return runGraph(g, { [g.inputs[0].name]: fixedInput(g) }).get(g.outputs[0].name)!.toNumbers();
}

/** Lines of C that fill `dst` (float *) with the fixed input of `n` elements. */
export function fillFixedInput(dst: string, n: string): string {
  return `for (int i = 0; i < ${n}; i++) ${dst}[i] = (float)((i * 37) % 17) / 16.0f;`;
}

/** Outputs printed one per line, within the C backend's float tolerance of the interpreter's. */
export function expectCloseTo(got: number[], want: number[], what: string): void {
  expect(got, what).toHaveLength(want.length);
  got.forEach((v, i) => expect(Math.abs(v - want[i]), `${what} output ${i}: ${v} vs ${want[i]}`).toBeLessThanOrEqual(1e-4 + 1e-4 * Math.abs(want[i])));
}
