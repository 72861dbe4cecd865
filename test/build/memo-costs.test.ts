// The search's cost predictions kept by graph content: the same graph (another object, the same bytes) is priced once
// and gets the same figures (a copy each time); a graph that differs in one weight bit, or in a node's attribute, is
// priced again.
import { describe, expect, it } from 'vitest';
import { graphFromJson, graphToJson } from '../../src/ir/graph-json.js';
import type { Graph } from '../../src/ir/graph.js';
import { loadModel } from '../../src/import/load-model.js';
import { graphContentKey, memoizedByContent } from '../../src/build/memo-costs.js';

const MLP = 'examples/models/digits-mlp.onnx';

describe('memoizedByContent', () => {
  it('prices a graph once by its content, and again when one bit or one attribute changes', async () => {
    const g = await loadModel(MLP);
    let calls = 0;
    const predict = memoizedByContent((x: Graph) => ({ instructions: ++calls * 1000 + x.nodes.length, ramBytes: 1, flashBytes: 2 }));
    const first = predict(g);
    const again = predict(graphFromJson(graphToJson(g)));
    expect(calls).toBe(1);
    expect(again).toEqual(first);
    again.instructions = -1;
    expect(predict(g).instructions).toBe(first.instructions);

    const flipped = graphFromJson(graphToJson(g));
    const [name, w] = [...flipped.initializers].find(([, t]) => t.dtype === 'float32')!;
    const bits = new Uint32Array(w.data.buffer, w.data.byteOffset, 1);
    bits[0] ^= 1;
    expect(graphContentKey(flipped)).not.toBe(graphContentKey(g));
    expect(predict(flipped).instructions).toBe(2000 + g.nodes.length);
    expect(flipped.initializers.get(name)).toBe(w);

    const attr = graphFromJson(graphToJson(g));
    const node = attr.nodes.find((n) => Object.keys(n.attrs).length > 0) ?? attr.nodes[0];
    node.attrs = { ...node.attrs, edgepruneTest: { kind: 'int', value: 1 } } as typeof node.attrs;
    expect(graphContentKey(attr)).not.toBe(graphContentKey(g));
    expect(calls).toBe(2);
  });

  it('drops the oldest predictions beyond what it keeps', async () => {
    const g = await loadModel(MLP);
    const copies = [0, 1, 2].map((i) => {
      const c = graphFromJson(graphToJson(g));
      c.name = `copy ${i}`;
      return c;
    });
    let calls = 0;
    const predict = memoizedByContent(() => ({ n: ++calls }), 2);
    for (const c of copies) predict(c);
    expect(calls).toBe(3);
    predict(copies[2]);
    predict(copies[1]);
    expect(calls).toBe(3);
    predict(copies[0]);
    expect(calls).toBe(4);
  });
});
