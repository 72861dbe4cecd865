// The project files around a compiled C library: the layout README.md gives each input, and deterministic output.
import { describe, expect, it } from 'vitest';
import { compileToC } from '../../src/emit/c/compile-c.js';
import { projectFiles, valueLayout } from '../../src/emit/c/project-files.js';
import { attr, GraphBuilder } from '../../src/ir/builder.js';
import { mnistLikeCnn } from '../../src/models/sample-models.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';

describe('C library project files', () => {
  it('names an input NHWC when the model transposes it to NCHW first (TF.js/Keras), NCHW otherwise', () => {
    const b = new GraphBuilder('layouts');
    const nhwc = b.input('image', 'float32', [1, 8, 8, 3]);
    const nchw = b.input('planes', 'float32', [1, 3, 8, 8]);
    const flat = b.input('features', 'float32', [1, 4]);
    const t = b.op('Transpose', [nhwc], { perm: attr.ints([0, 3, 1, 2]) });
    b.output(b.op('Add', [t, nchw]));
    b.output(b.op('Relu', [flat]));
    const g = b.build();
    expect(valueLayout(g, 'image')).toBe('NHWC (channels last)');
    expect(valueLayout(g, 'planes')).toBe('NCHW (channels first)');
    expect(valueLayout(g, 'features')).toBe('row-major, rank 2');
  });

  it('writes the same bytes twice, and its README follows --keep-inputs', () => {
    const target = findMcuTarget('stm32f405');
    const a = projectFiles(compileToC(mnistLikeCnn(), { prefix: 'digits' }), target);
    const b = projectFiles(compileToC(mnistLikeCnn(), { prefix: 'digits' }), target);
    expect([...a.keys()].sort()).toEqual(['CMakeLists.txt', 'Makefile', 'README.md', 'zephyr/CMakeLists.txt', 'zephyr/module.yml']);
    for (const [name, text] of a) expect(b.get(name), name).toBe(text);
    const kept = projectFiles(compileToC(mnistLikeCnn(), { prefix: 'digits', keepInputs: true }), target).get('README.md')!;
    expect(a.get('README.md')).toMatch(/`digits_run\(\)` overwrites its inputs/);
    expect(kept).toMatch(/\*\*Inputs are kept\.\*\*/);
  });
});
