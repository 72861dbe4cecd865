// onnxruntime-node's telemetry stays off wherever the tests and benches load it: a child process that imports
// bench/support/onnxruntime-no-telemetry.ts first and then runs a session writes no device id or event database under
// its home and no .ses or mat-debug-<pid>.log in its temporary folder (onnxruntime 1.30 writes all of them otherwise).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir } from '../../src/util/temp-dir.js';

/** Every file and folder under dir, as paths from it. */
function listAll(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

describe('onnxruntime without telemetry', () => {
  it('a session in a child that imports the switch first writes nothing under its home or temporary folder', async () => {
    const work = makeTempDir('ort-telemetry');
    try {
      const home = path.join(work, 'home');
      const tmp = path.join(work, 'tmp');
      fs.mkdirSync(home);
      fs.mkdirSync(tmp);
      const script = [
        `import ${JSON.stringify(pathToFileURL(path.resolve('dist/bench/support/onnxruntime-no-telemetry.js')).href)};`,
        `import ort from ${JSON.stringify(pathToFileURL(createRequire(import.meta.url).resolve('onnxruntime-node')).href)};`,
        `const session = await ort.InferenceSession.create(${JSON.stringify(path.resolve('examples/models/digits-mlp.onnx'))});`,
        'console.log(session.inputNames.length);',
      ].join('\n');
      // The environment of a user's shell: the switch must come from the import, not from the test run's setup.
      const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, TMPDIR: tmp, XDG_CACHE_HOME: '' };
      delete env.ORT_DISABLE_TELEMETRY;
      const r = await execa('node', ['--input-type=module', '-e', script], { cwd: work, env, extendEnv: false, reject: false, timeout: 120_000 });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe('1');
      expect(listAll(home)).toEqual([]);
      expect(listAll(tmp)).toEqual([]);
      expect(listAll(work).filter((f) => f !== 'home' && f !== 'tmp')).toEqual([]);
    } finally {
      removeTempDir(work);
    }
  });
});
