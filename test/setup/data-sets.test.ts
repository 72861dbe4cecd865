// `make setup`'s data-set step (hw-sim/install-data-sets.sh) as a non-root user: it names dataset-fashion-mnist when the
// Fashion-MNIST files are missing, says what the bench does without it, never fails the setup, and is silent when they are there.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SCRIPT = path.resolve('hw-sim/install-data-sets.sh');
const FILES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
let dir: string;

/** Run the script as a non-root user (root would install), looking for the files in `data`. */
async function runAsUser(data: string) {
  const asUser = process.getuid?.() === 0 ? ['/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
  const script = path.join(dir, 'install-data-sets.sh');
  if (!fs.existsSync(script)) fs.copyFileSync(SCRIPT, script);
  const [command, ...args] = [...asUser, '/bin/bash', script];
  const r = await execa(command, args, { env: { PATH: '/usr/bin:/bin', FASHION_MNIST_DIR: data }, extendEnv: false, reject: false, timeout: 60_000, stdin: 'ignore' });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-data-sets-'));
  fs.chmodSync(dir, 0o755);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('hw-sim/install-data-sets.sh as a non-root user', () => {
  it('names the missing package and what the bench does without it, and does not fail the setup (even with one file missing)', async () => {
    const data = path.join(dir, 'partial');
    fs.mkdirSync(data);
    for (const f of FILES.slice(0, 3)) fs.writeFileSync(path.join(data, f), '');
    const r = await runAsUser(data);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(r.stderr).toContain('setup: missing Debian package: dataset-fashion-mnist (Fashion-MNIST, for bench/fashion-mnist.ts, which exits 2 without it; no test uses it)');
    expect(r.stderr).toContain('sudo apt-get install -y dataset-fashion-mnist');
  });

  it('says nothing when the four files are there', async () => {
    const data = path.join(dir, 'all');
    fs.mkdirSync(data);
    for (const f of FILES) fs.writeFileSync(path.join(data, f), '');
    expect(await runAsUser(data)).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });
});
