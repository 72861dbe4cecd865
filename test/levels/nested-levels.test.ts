// The NestedLevels contract: levelGraph slices each group's leading channels (the same as cutting the trailing ones),
// and checkNested refuses every malformed set of levels.
import { describe, expect, it } from 'vitest';
import { verifyProblems } from '../../src/ir/verify.js';
import { checkNested, levelGraph, levelRemovals, type NestedLevels } from '../../src/levels/nested-levels.js';
import { loadOnnx } from '../../src/onnx/load-onnx.js';
import { analyzePruneGroups, pruneChannels } from '../../src/prune/structure/index.js';
import { repoPath } from '../../src/util/package-root.js';

const cnn = () => loadOnnx(repoPath('examples/models/digits-cnn.onnx'));

describe('levelGraph', () => {
  it('keeps the first `keep` channels of each group: the weights are the leading slices of the full model\'s', () => {
    const full = cnn();
    const levels: NestedLevels = { full, keep: [{}, { conv1: 6, conv2: 12, fc1: 20 }, { conv1: 3, fc1: 9 }] };
    checkNested(levels);
    const l0 = levelGraph(levels, 0);
    for (const [n, t] of full.initializers) expect(l0.initializers.get(n)!.data).toEqual(t.data);
    const l1 = levelGraph(levels, 1);
    expect(verifyProblems(l1)).toEqual([]);
    expect(l1.initializers.get('conv1.weight')!.shape).toEqual([6, 1, 3, 3]);
    // conv2's filters: the first 12 of 16, reading the first 6 of conv1's 8 channels.
    const w = full.initializers.get('conv2.weight')!;
    const w1 = l1.initializers.get('conv2.weight')!;
    expect(w1.shape).toEqual([12, 6, 3, 3]);
    for (let o = 0; o < 12; o++) for (let i = 0; i < 6; i++) for (let k = 0; k < 9; k++) expect(w1.at((o * 6 + i) * 9 + k)).toBe(w.at((o * 8 + i) * 9 + k));
    // A group left out keeps every channel (level 2 keeps conv2's 16).
    expect(levelGraph(levels, 2).initializers.get('conv2.weight')!.shape).toEqual([16, 3, 3, 3]);
    // The same graph as cutting the trailing channels by hand.
    const byHand = pruneChannels(full, { conv1: [6, 7], conv2: [12, 13, 14, 15], fc1: Array.from({ length: 12 }, (_, i) => 20 + i) });
    for (const [n, t] of byHand.initializers) expect(l1.initializers.get(n)!.data).toEqual(t.data);
  });

  it('refuses a level that does not exist', () => {
    const levels: NestedLevels = { full: cnn(), keep: [{}] };
    expect(() => levelRemovals(levels, 1)).toThrow(/no level 1/);
    expect(() => levelGraph(levels, -1)).toThrow(/no level -1/);
  });
});

describe('checkNested', () => {
  const full = cnn();
  const analysis = analyzePruneGroups(full);
  const cases: [string, NestedLevels['keep'], RegExp][] = [
    ['no level', [], /no level/],
    ['an unknown group', [{ conv9: 3 }], /'conv9', not a prunable group/],
    ['no channel kept', [{ conv1: 0 }], /keeps 0 of the 8/],
    ['more channels than the group has', [{ conv1: 9 }], /keeps 9 of the 8/],
    ['a fractional count', [{ conv1: 2.5 }], /keeps 2.5 of the 8/],
    ['a count that grows from one level to the next', [{ conv2: 10 }, { conv2: 11 }], /level 1 keeps 11 channels of 'conv2', more than level 0's 10/],
    ['a count that grows again two levels down', [{ fc1: 20 }, { fc1: 10 }, { fc1: 12 }], /level 2 keeps 12 channels of 'fc1', more than level 1's 10/],
  ];
  for (const [what, keep, message] of cases) {
    it(`refuses ${what}`, () => {
      expect(() => checkNested({ full, keep }, analysis)).toThrow(message);
    });
  }

  it('accepts nested levels, equal counts and groups left out', () => {
    expect(() => checkNested({ full, keep: [{}, { conv1: 8, fc1: 16 }, { conv1: 1, conv2: 1, fc1: 16 }] }, analysis)).not.toThrow();
  });
});
