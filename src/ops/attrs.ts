// Typed, validated access to a node's attributes, with defaults and clear errors naming the node.

import type { AttrValue, Node } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { nodeError } from '../errors.js';

type Kind = AttrValue['kind'];
type ValueOf<K extends Kind> = Extract<AttrValue, { kind: K }>['value'];

export class AttrReader {
  private readonly used = new Set<string>();

  constructor(private readonly node: Node) {}

  has(name: string): boolean {
    return Object.hasOwn(this.node.attrs, name);
  }

  int(name: string, fallback: number): number;
  int(name: string): number | undefined;
  int(name: string, fallback?: number): number | undefined {
    return this.get(name, 'int') ?? fallback;
  }

  /** An int attribute restricted to a set of values. */
  intOf(name: string, fallback: number, allowed: readonly number[]): number {
    const v = this.int(name, fallback);
    if (!allowed.includes(v)) this.fail(name, `is ${v}; supported: ${allowed.join(', ')}`);
    return v;
  }

  float(name: string, fallback: number): number;
  float(name: string): number | undefined;
  float(name: string, fallback?: number): number | undefined {
    return this.get(name, 'float') ?? fallback;
  }

  string(name: string, fallback: string): string;
  string(name: string): string | undefined;
  string(name: string, fallback?: string): string | undefined {
    return this.get(name, 'string') ?? fallback;
  }

  /** A string attribute restricted to a set of values. */
  stringOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const v = this.string(name, fallback);
    if (!(allowed as readonly string[]).includes(v)) this.fail(name, `is '${v}'; supported: ${allowed.join(', ')}`);
    return v as T;
  }

  ints(name: string, fallback: number[]): number[];
  ints(name: string): number[] | undefined;
  ints(name: string, fallback?: number[]): number[] | undefined {
    return this.get(name, 'ints') ?? fallback;
  }

  floats(name: string, fallback: number[]): number[];
  floats(name: string): number[] | undefined;
  floats(name: string, fallback?: number[]): number[] | undefined {
    return this.get(name, 'floats') ?? fallback;
  }

  tensor(name: string): Tensor | undefined {
    return this.get(name, 'tensor');
  }

  /** Mark an attribute as understood without reading it (e.g. ignored hints). */
  ignore(...names: string[]): void {
    for (const n of names) this.used.add(n);
  }

  /** An error about one attribute of this node. */
  fail(name: string, message: string): never {
    throw nodeError(this.node, `attribute '${name}' ${message}`);
  }

  /** Throws if the node carries an attribute the op did not read. */
  rejectUnknown(): void {
    const unknown = Object.keys(this.node.attrs).filter((k) => !this.used.has(k));
    if (unknown.length > 0) {
      const known = [...this.used].sort();
      throw nodeError(
        this.node,
        `unsupported attribute${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `'${u}'`).join(', ')}` +
          (known.length ? ` (this op reads: ${known.join(', ')})` : ' (this op takes no attributes)'),
      );
    }
  }

  private get<K extends Kind>(name: string, kind: K): ValueOf<K> | undefined {
    type Out = ValueOf<K> | undefined;
    this.used.add(name);
    const a = Object.hasOwn(this.node.attrs, name) ? this.node.attrs[name] : undefined;
    if (a === undefined) return undefined;
    if (a.kind !== kind) {
      // ONNX writers sometimes store an int-valued float list as ints and vice versa; accept the numeric pairs.
      const numericPair = (kind === 'float' && a.kind === 'int') || (kind === 'floats' && a.kind === 'ints');
      if (!numericPair) this.fail(name, `has type ${a.kind}, expected ${kind}`);
    }
    return a.value as unknown as Out;
  }
}
