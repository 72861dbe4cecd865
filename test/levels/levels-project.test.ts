// The project around a levels library (c/ of build --levels): the single-model Makefile, CMakeLists.txt and Zephyr
// module, a README for model_run_level with each level's figures; hostile model text stays in comments, escaped.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/import/load-model.js';
import { compileLevelsToC } from '../../src/levels/compile-levels.js';
import { levelsProjectFiles } from '../../src/levels/levels-project.js';
import { prefixLevels } from '../../src/levels/prefix-levels.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { HOSTILE_GRAPH_NAME, PWNED_FILE } from '../support/hostile-names.js';
import { skipWithoutTools } from '../support/toolchain.js';

const target = findMcuTarget('stm32f405', 'build');
const cnn = await loadModel(path.resolve('examples/models/digits-cnn.onnx'));
const hostile = { ...cnn, name: HOSTILE_GRAPH_NAME };
const levels = prefixLevels(hostile, [1, 0.7, 0.45]);
const figures = [0, 1, 2].map((k) => ({ label: `level ${k}: ${HOSTILE_GRAPH_NAME}`, instructionsWorstCase: 100_000 - k * 30_000, accuracy: 0.97 - k / 100 }));
const lib = compileLevelsToC(levels, { prefix: 'lv', target, figures });
const project = levelsProjectFiles(lib, target);
const noMake = await skipWithoutTools('test/levels/levels-project.test.ts', ['make']);

const made: string[] = [];
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('levels project files', () => {
  it('are the single-model project\'s files, with a README of model_run_level and each level\'s figures', () => {
    expect([...project.keys()].sort()).toEqual(['CMakeLists.txt', 'Makefile', 'README.md', 'zephyr/CMakeLists.txt', 'zephyr/module.yml']);
    expect(project.get('Makefile')).toMatch(/^liblv\.a: \$\(OBJS\)$/m);
    expect(project.get('Makefile')).toContain('OBJS = lv.o lv_weights.o');
    expect(project.get('CMakeLists.txt')).toContain('add_library(lv STATIC lv.c lv_weights.c)');
    const readme = project.get('README.md')!;
    expect(readme).toContain('int lv_run_level(int level, const float *input0, float *output0);');
    expect(lib.files.get('lv.h')).toContain('int lv_run_level(int level, const float *input0, float *output0);');
    expect(readme).toContain('extern const lv_level_info lv_levels[LV_LEVEL_COUNT];');
    expect(readme).toMatch(/\| 2 \| level 2: [^\n]* \| \d+ \| 40,000 \| 95\.00% \|/);
    expect(readme).toContain('lv_levels[k].instructions_worst_case * cycles_per_instruction <= cycles_left');
    expect(readme).toContain(`| \`${lib.names.weights}\` |`);
  });

  it('keep hostile model text in comments: no rule, shell call or C of the model\'s reaches make, CMake or Markdown', async () => {
    for (const name of ['Makefile', 'CMakeLists.txt', 'zephyr/module.yml', 'zephyr/CMakeLists.txt']) {
      const text = project.get(name)!;
      // Every line carrying the model's text is a comment (its newlines escaped, not real).
      for (const line of text.split('\n').filter((l) => l.includes('touch') || l.includes('pwned'))) expect(line, `${name}: ${line}`).toMatch(/^#/);
      expect(text, name).not.toContain('\u001b');
    }
    const readme = project.get('README.md')!;
    expect(readme).not.toMatch(/^all:/m);
    expect(readme).not.toContain('\u001b');
    expect(readme).toContain('\\*/ int pwned\\_graph');
    if (noMake) return;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-levels-project-'));
    made.push(dir);
    for (const [name, text] of [...lib.files, ...project]) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    }
    // make's dry run reads the whole Makefile (a rule smuggled in would be listed or run) without compiling.
    const r = await execa('make', ['-n', '-C', dir], { timeout: 60_000, reject: false, stdin: 'ignore', env: { LC_ALL: 'C' } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/arm-none-eabi-gcc .*-c lv\.c -o lv\.o/);
    expect(r.stdout).not.toContain(PWNED_FILE);
    expect(fs.existsSync(path.join(dir, PWNED_FILE))).toBe(false);
  });
});
