// A residual block of a pixel stream → ep_fork, the main path's layers, ep_fifo on the skip path, ep_add_stream: a
// value read by an Int8Add and by a chain of layers that ends in that Int8Add's other input. The fork offers every
// pixel to both paths; the skip FIFO holds the pixels the main path has taken and not yet answered, sized from the
// schedule (the most it holds in an idle pipeline, one image row more for frames back to back), so that the fork
// never waits on it; the join takes pixel k of both paths together. The main path must stream one pixel per cycle
// (reuse factor 1), which the schedule and the FIFO's size assume.

import { UserError } from '../../errors.js';
import type { Graph, Node } from '../../ir/graph.js';
import { nodeAttrs } from '../../ir/interpreter.js';
import { A, A_SCALE, A_ZERO, B, B_SCALE, B_ZERO, Y_SCALE, Y_ZERO, type Int8AddAttrs } from '../../ops/int8-add.js';
import { addMultipliers, type AddMultipliers } from '../../ops/util/int8-add-params.js';
import { EDGEPRUNE_DOMAIN } from '../../ops/util/int8-params.js';
import { scheduleAll } from './design-schedule.js';
import { beatsPerVector, describeFormat, type RtlLayer, type StreamFormat } from './rtl-layer.js';

type Pixels = StreamFormat & { kind: 'pixels' };

/** What lower-rtl gives the block: the graph, who reads what, and how to lower one node of the main path. */
export interface ResidualContext {
  graph: Graph;
  users: Map<string, Node[]>;
  /** The layers so far (the block's are appended) and the beats of the core's input (for the schedule). */
  layers: RtlLayer[];
  inputBeats: number;
  lowerNode(node: Node, input: StreamFormat, value: string, previous: string): RtlLayer[];
}

const WHAT_TO_DO = 'build the main path at reuse factor 1 (a residual block streams one pixel per cycle), or compile the model for a microcontroller';

/** The Int8Add of a residual block at `value` and the main path's nodes, or undefined when `value` is no such fork. */
function findBlock(ctx: ResidualContext, value: string): { add: Node; path: Node[]; skipInput: typeof A | typeof B } | undefined {
  const readers = ctx.users.get(value) ?? [];
  if (readers.length !== 2) return undefined;
  const add = readers.find((n) => n.opType === 'Int8Add' && n.domain === EDGEPRUNE_DOMAIN && (n.inputs[A] === value) !== (n.inputs[B] === value));
  const first = readers.find((n) => n !== add);
  if (!add || !first) return undefined;
  const skipInput = add.inputs[A] === value ? A : B;
  const mainValue = add.inputs[skipInput === A ? B : A];
  const path: Node[] = [];
  for (let node = first; ; ) {
    path.push(node);
    if (node.outputs[0] === mainValue) return { add, path, skipInput };
    const next = ctx.users.get(node.outputs[0]) ?? [];
    if (next.length !== 1 || next[0] === add) return undefined;
    node = next[0];
  }
}

/** The most pixels the skip FIFO holds when the fork offers pixel k at fork[k] and the join takes it at join[k]. */
function skipOccupancy(fork: readonly number[], join: readonly number[]): number {
  let most = 0;
  for (let k = 0; k < fork.length; k++) {
    // Written at edge fork[j] for j < k, popped at edge join[j] for those j with join[j] < fork[k].
    let held = k;
    for (let j = 0; j < k; j++) if (join[j] < fork[k]) held--;
    most = Math.max(most, held);
  }
  return most;
}

/** The join's take times: pixel k when both are offered, one a cycle at most. */
function takeTimes(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  a.forEach((t, k) => out.push(Math.max(t, b[k], (out[k - 1] ?? -Infinity) + 1)));
  return out;
}

const JOIN_LATENCY = 4;

/** Lower the residual block whose fork is `value` (format: pixels), or return undefined when there is none. */
export function lowerResidual(ctx: ResidualContext, value: string, format: StreamFormat): { value: string; format: StreamFormat; nodes: Node[] } | undefined {
  const block = findBlock(ctx, value);
  if (!block) return undefined;
  const { add, path, skipInput } = block;
  if (format.kind !== 'pixels') {
    throw new UserError(`residual block at '${value}' (joined by node '${add.name}'): its input arrives as ${describeFormat(format)}; the RTL forks pixel streams`, WHAT_TO_DO);
  }
  const { layers } = ctx;
  const beats = beatsPerVector(format);
  const forkIndex = layers.length;
  layers.push(forkLayer(add, value, format));
  let mainFormat: StreamFormat = format;
  path.forEach((node, i) => {
    const lowered = ctx.lowerNode(node, mainFormat, i === 0 ? value : path[i - 1].outputs[0], layers[layers.length - 1].node);
    if (i === 0) lowered[0].sources = [{ layer: forkIndex, port: 'b' }];
    for (const l of lowered) {
      if (l.hardware && (l.hardware.initiationInterval ?? 1) !== beatsPerVector(l.inFormat)) {
        throw new UserError(`residual block joined by node '${add.name}': node '${l.node}' on its main path takes ${l.hardware.initiationInterval} cycles for ${beatsPerVector(l.inFormat)} beats; the skip path's FIFO is sized for a main path that streams one beat per cycle`, WHAT_TO_DO);
      }
      layers.push(l);
      mainFormat = l.outFormat;
    }
  });
  const mainIndex = layers.length - 1;
  if (mainFormat.kind !== 'pixels' || mainFormat.height !== format.height || mainFormat.width !== format.width || mainFormat.channels !== format.channels) {
    throw new UserError(`residual block joined by node '${add.name}': its main path ends in ${describeFormat(mainFormat)}, the skip path carries ${describeFormat(format)}; ep_add_stream adds pixels of the same shape`, WHAT_TO_DO);
  }
  // Size the skip FIFO from the idle schedule of the block (the FIFO offers a pixel the cycle after it is written).
  const times = scheduleAll(layers, ctx.inputBeats);
  const fork = times[forkIndex];
  const main = times[mainIndex];
  const join = takeTimes(fork.map((t) => t + 1), main);
  const depth = skipOccupancy(fork, join) + 1 + format.width;
  const fifoIndex = layers.length;
  layers.push(fifoLayer(add, value, format, depth, forkIndex));
  const skip = { layer: fifoIndex };
  const mainSource = { layer: mainIndex };
  layers.push(addLayer(ctx.graph, add, format, skipInput === A ? [skip, mainSource] : [mainSource, skip], beats));
  return { value: add.outputs[0], format, nodes: [...path, add] };
}

function forkLayer(add: Node, value: string, format: Pixels): RtlLayer {
  const beats = beatsPerVector(format);
  return {
    kind: 'fork',
    node: add.name,
    op: 'ep_fork',
    input: value,
    output: value,
    inFormat: format,
    outFormat: format,
    hardware: {
      module: 'ep_fork',
      libraryFiles: ['ep_fork.v'],
      params: [{ name: 'BYTES', value: String(format.channels) }],
      latencyCycles: 0,
      initiationInterval: beats,
      reuseFactor: 1,
      beatTimes: (offered) => [...offered],
      multipliers: { weights: 0, requantizers: 0 },
      ports: { inputs: ['in'], outputs: ['a', 'b'] },
    },
  };
}

function fifoLayer(add: Node, value: string, format: Pixels, depth: number, forkIndex: number): RtlLayer {
  return {
    kind: 'fifo',
    node: add.name,
    op: 'ep_fifo',
    input: value,
    output: value,
    inFormat: format,
    outFormat: format,
    sources: [{ layer: forkIndex, port: 'a' }],
    hardware: {
      module: 'ep_fifo',
      libraryFiles: ['ep_fifo.v'],
      params: [{ name: 'BYTES', value: String(format.channels) }, { name: 'DEPTH', value: String(depth) }],
      latencyCycles: 1,
      initiationInterval: beatsPerVector(format),
      reuseFactor: 1,
      beatTimes: (offered) => offered.map((t) => t + 1),
      multipliers: { weights: 0, requantizers: 0 },
    },
  };
}

/** What an Int8Add bakes in: zero points, the three multipliers, the clamp (ep_add_stream's parameters; the HLS emitter's). */
export interface AddConstants {
  aZero: number;
  bZero: number;
  m: AddMultipliers;
  yZero: number;
  actMin: number;
  actMax: number;
}

export function addConstants(g: Graph, add: Node): AddConstants {
  const constant = (i: number) => {
    const t = g.initializers.get(add.inputs[i]);
    if (!t) throw new UserError(`node '${add.name}' (Int8Add): its input ${i} is computed at run time; the RTL bakes scales and zero points in`, WHAT_TO_DO);
    return t;
  };
  const attrs = nodeAttrs(add) as Int8AddAttrs;
  return {
    aZero: constant(A_ZERO).at(0) as number,
    bZero: constant(B_ZERO).at(0) as number,
    m: addMultipliers(constant(A_SCALE), constant(B_SCALE), constant(Y_SCALE), add),
    yZero: constant(Y_ZERO).at(0) as number,
    actMin: attrs.actMin,
    actMax: attrs.actMax,
  };
}

function addLayer(g: Graph, add: Node, format: Pixels, sources: RtlLayer['sources'], beats: number): RtlLayer {
  const c = addConstants(g, add);
  const { m } = c;
  const joinTimes = (a: readonly number[], b: readonly number[]) => takeTimes(a, b).map((t) => t + JOIN_LATENCY);
  return {
    kind: 'add-stream',
    node: add.name,
    op: add.opType,
    input: add.inputs[A],
    output: add.outputs[0],
    inFormat: format,
    outFormat: format,
    sources,
    hardware: {
      module: 'ep_add_stream',
      libraryFiles: ['ep_add_stream.v', 'ep_requant.v'],
      params: [
        { name: 'C', value: String(format.channels) },
        { name: 'A_ZP', value: String(c.aZero) },
        { name: 'B_ZP', value: String(c.bZero) },
        { name: 'MA', value: `31'd${m.a.multiplier}` },
        { name: 'SA', value: `6'd${m.a.shift}` },
        { name: 'MB', value: `31'd${m.b.multiplier}` },
        { name: 'SB', value: `6'd${m.b.shift}` },
        { name: 'MY', value: `31'd${m.y.multiplier}` },
        { name: 'SY', value: `6'd${m.y.shift}` },
        { name: 'Y_ZP', value: String(c.yZero) },
        { name: 'ACT_MIN', value: String(c.actMin) },
        { name: 'ACT_MAX', value: String(c.actMax) },
      ],
      latencyCycles: JOIN_LATENCY,
      initiationInterval: beats,
      reuseFactor: 1,
      joinTimes,
      // Per channel: the two inputs' rescaling products (9 x 31 bits) and the output requantizer (29 x 31).
      requantWidths: { accBits: 29, multBits: 31 },
      multipliers: { weights: 2 * format.channels, requantizers: format.channels },
      ports: { inputs: ['a', 'b'], outputs: ['out'] },
    },
  };
}
