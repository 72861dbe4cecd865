// Out-of-line int8 layer kernels shared by the levels of one library (issue 15 §2's flash): calls of different levels
// that differ only in what a kernel takes at run time without leaving its register-tiled path (a conv's input and
// output channels; a dense layer's inputs and outputs; the zero points and clamps) and in their arrays call one
// function, the rest of their arguments literals in it.

import { cFloat } from '../emit/c/c-literals.js';
import type { CArg, CCall, CStep } from '../emit/c/c-step.js';
import { STRIDED_KERNELS } from './share-weights.js';

/**
 * The row stride of an int8 dense or conv call's own rows (K; C/groups*KH*KW), from its integer arguments: a plain
 * call is its ldw kernel (share-weights.ts's STRIDED_KERNELS) with that stride, so that a layer of level 0 and the same
 * layer of a level that narrowed its inputs (reading level 0's rows through that stride) are one configuration.
 */
const OWN_ROW_STRIDE: Readonly<Record<string, (n: number[]) => number>> = {
  ep_dense_s8: (n) => n[7],
  ep_dense_s8_pt: (n) => n[7],
  ep_conv2d_s8: (n) => (n[6] / n[20]) * n[10] * n[11],
};

/**
 * Per (ldw) kernel, the arguments (by position) that may differ between the calls sharing one function: the int8
 * conv's C and M (templates/c/lib/ep_int8_conv.h keeps its tiles with them at run time; the assembly tiles' channel
 * loop ends at a pointer computed from a run-time C), the dense kernel's K and N (N at run time: ep_dense_nb_s8 with a
 * literal tile width), and the zero points and clamps (x_zp, y_zp, act_min, act_max).
 * Every other number (the shapes the tiles and the assembly are specialised on, the row stride) must be equal;
 * pointers are always parameters.
 */
const RUN_TIME_ARGS: Readonly<Record<string, readonly number[]>> = {
  ep_conv2d_ldw_s8: [6, 9, 22, 23, 24, 25],
  ep_dense_ldw_s8: [7, 8, 10, 11, 12, 13],
  ep_dense_ldw_s8_pt: [7, 8, 10, 11, 12, 13],
};

/** What the levels' kernels share: nothing (`inline`: every call inlined and specialised), or the calls that keep their tiled code (`shared`). */
export type LevelKernels = 'inline' | 'shared';

export const LEVEL_KERNELS: readonly LevelKernels[] = ['inline', 'shared'];

/** The dense kernels with a literal tile width (NB after ldw) for a run-time N. */
const TILED_DENSE: Readonly<Record<string, string>> = { ep_dense_ldw_s8: 'ep_dense_nb_s8', ep_dense_ldw_s8_pt: 'ep_dense_nb_s8_pt' };

/** Outputs per tile of the int8 dense kernel for N outputs (ep__s8_dense_tile_width, templates/c/lib/ep_int8_dense.h). */
export function denseTileWidth(N: number): number {
  return N <= 6 ? N : N % 6 === 0 ? 6 : N % 5 === 0 ? 5 : 4;
}

/** A call in its row-stride form (the call itself when its kernel has none or it is one). */
function stridedForm(call: CCall): CCall {
  const st = STRIDED_KERNELS[call.kernel];
  const stride = OWN_ROW_STRIDE[call.kernel];
  if (!st || !stride) return call;
  const numbers = call.args.map((a) => (a.kind === 'int' ? a.value : NaN));
  const args = [...call.args];
  args.splice(st.strideArgAt, 0, { kind: 'int', value: stride(numbers) });
  return { kernel: st.kernel, args };
}

/** One function the levels' calls share. */
export interface SharedKernel {
  /** Its C name (<prefix>_k<n>). */
  name: string;
  /** The kernel it calls. */
  kernel: string;
  /** Calls (over all levels) that call it. */
  calls: number;
  /** Its definition (C; `STEP` is the library's step macro, e.g. MODEL_STEP). */
  definition: string;
}

export interface SharedKernels {
  /** Each level's steps, its calls of a shared kernel replaced by calls of the function with the varying arguments. */
  levels: CStep[][];
  kernels: SharedKernel[];
}

const isPointer = (a: CArg) => a.kind === 'value' || a.kind === 'weight' || a.kind === 'null';

function literal(a: CArg): string | undefined {
  if (a.kind === 'int') return String(a.value);
  if (a.kind === 'float') return cFloat(a.value);
  if (a.kind === 'null') return 'NULL';
  return undefined;
}

/** The grouping key of a call: its kernel and every argument that must be equal, or undefined when it cannot be shared. */
function keyOf(call: CCall): string | undefined {
  const runTime = RUN_TIME_ARGS[call.kernel];
  if (!runTime) return undefined;
  const parts: string[] = [];
  for (const [i, a] of call.args.entries()) {
    if (isPointer(a)) parts.push('*');
    else if (runTime.includes(i)) parts.push('?');
    else {
      const l = literal(a);
      if (l === undefined) return undefined;
      parts.push(l);
    }
  }
  return `${call.kernel}(${parts.join(',')})`;
}

/**
 * What the compiler may assume of a run-time integer argument: the range of its values over the calls. The kernels
 * fold their loop bounds and branches from it (a run-time channel count at most level 0's keeps one exact-sum chunk
 * on the Cortex-M3 path as its literal did: the digits CNN's shared levels run 0.2-1.3% more instructions than inlined).
 */
function rangeHint(param: string, values: number[]): string {
  return `  if (${param} < ${Math.min(...values)} || ${param} > ${Math.max(...values)}) EP__UNREACHABLE();\n`;
}

/**
 * The calls of `levels` (each level's steps) grouped by keyOf; each group of two calls or more becomes one function
 * (`<prefix>_k<n>`, numbered in order of first use), called from each step with the arguments that differ within the
 * group (pointers always). A call alone in its group stays as it is: single calls keep their inlined kernels.
 */
export function shareKernels(levels: readonly (readonly CStep[])[], prefix: string, stepMacro: string, mode: LevelKernels): SharedKernels {
  const groups = new Map<string, CCall[]>();
  if (mode === 'inline') return { levels: levels.map((steps) => [...steps]), kernels: [] };
  const original = new Map<CCall, CCall>();
  for (const steps of levels) for (const s of steps) for (const c of s.calls) {
    const form = stridedForm(c);
    const key = keyOf(form);
    if (key === undefined) continue;
    original.set(form, c);
    groups.set(key, [...(groups.get(key) ?? []), form]);
  }
  const kernels: SharedKernel[] = [];
  const rewrite = new Map<CCall, CCall>();
  for (const calls of groups.values()) {
    if (calls.length < 2) continue;
    const first = calls[0];
    const params = first.args.map((a, i) => isPointer(a) || calls.some((c) => literal(c.args[i]) !== literal(a)));
    const name = `${prefix}_k${kernels.length}`;
    const types = first.args.map((a, i) => {
      if (!params[i]) return '';
      if (calls.every((c) => c.args[i].kind === 'value')) return 'void *';
      if (calls.some((c) => isPointer(c.args[i]))) return 'const void *';
      return a.kind === 'float' ? 'float ' : 'int ';
    });
    const signature = types.flatMap((t, i) => (params[i] ? [`${t}a${i}`] : [])).join(', ');
    const body = first.args.map((a, i) => (params[i] ? `a${i}` : literal(a)!));
    let kernel = first.kernel;
    const tiled = TILED_DENSE[kernel];
    if (tiled && params[8]) {
      // N differs: the tile width of the largest N among the calls (the first level's), a literal.
      const widest = Math.max(...calls.map((c) => (c.args[8].kind === 'int' ? c.args[8].value : 0)));
      body.splice(10, 0, String(denseTileWidth(widest)));
      kernel = tiled;
    }
    const ranges = first.args.flatMap((a, i) => (params[i] && a.kind === 'int' ? [rangeHint(`a${i}`, calls.map((c) => (c.args[i] as { value: number }).value))] : []));
    kernels.push({ name, kernel, calls: calls.length, definition: `${stepMacro} ${name}(${signature}) {\n${ranges.join('')}  ${kernel}(${body.join(', ')});\n}` });
    for (const c of calls) rewrite.set(original.get(c)!, { kernel: name, args: c.args.filter((_, i) => params[i]) });
  }
  return { levels: levels.map((steps) => steps.map((s) => ({ ...s, calls: s.calls.map((c) => rewrite.get(c) ?? c) }))), kernels };
}
