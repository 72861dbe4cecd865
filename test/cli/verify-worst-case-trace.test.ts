// verify refuses --trace with --worst-case: a trace build's counts include sending every layer's outputs over the UART,
// so neither the typical count nor the per-step bound would be the deployed firmware's.
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('verify --trace --worst-case', () => {
  it('is refused with one line and exit 2, before building anything', async () => {
    const r = await runCli(['verify', 'examples/models/digits-mlp.onnx', '--target', 'lm3s6965', '--trace', '--worst-case']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--trace and --worst-case do not go together: a trace build's instruction counts include sending every layer's outputs; run verify --worst-case and verify --trace separately/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });
});
