// templates/verilog/lib/ep_uart_top.v in Verilator, driven through the harness protocol client as a board is
// (hw-sim/verilator/uart-session.ts): an ep_dense_rf1 layer behind the UART answers the handshake and DESC, its
// outputs equal the interpreter's Int8Gemm, RUN reports the layer's 3 cycles; a command it does not serve (F) is
// refused with the protocol's ERR and the session stays in step; malformed commands get the very replies the MCU
// harness (hw-sim/firmware/harness.c, host build) gives; no process outlives the test.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHostHarness, openHostSession, type HarnessSession } from '../../hw-sim/index.js';
import { spawnChild, type Child } from '../../hw-sim/process.js';
import type { VerilatorHarness } from '../../hw-sim/verilator/harness.js';
import { buildUartSimulation, openUartSession, SIM_CLKS_PER_BIT } from '../../hw-sim/verilator/uart-session.js';
import { repoPath } from '../../src/util/package-root.js';
import { Random } from '../../src/util/random.js';
import { FAKE, processesMentioning } from '../hw-sim/support.js';
import { randomLayer, reference, wrapper, type LayerSpec } from './dense-layers.js';

// Dense: ep_dense_rf1 leaves an input no weight uses unconnected, which Verilator -Wall refuses (UNUSEDSIGNAL).
const SPEC: LayerSpec = { name: 'dense 8→4', nIn: 8, nOut: 4, sparsity: 0, xZero: 3, yZero: -5, actMin: -128, actMax: 127 };
const NAME = 'dense8x4';

/** Send `lines` one at a time to a process speaking the protocol, each after the previous one's reply; its replies. */
async function transcript(child: Child, lines: string[]): Promise<string[]> {
  let out = '';
  const off = child.onStdout((chunk) => (out += chunk));
  const replies = () => out.split('\n').slice(0, -1);
  try {
    for (const line of lines) {
      const before = replies().length;
      child.stdin!.write(`${line}\n`);
      if (line.trim() === '') continue; // a blank line gets no reply
      while (replies().length === before) {
        if (child.hasEnded()) throw new Error(`the process ended after '${line}': ${child.stderrTail()}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    return replies();
  } finally {
    off();
  }
}

describe('ep_uart_top.v: the harness protocol over a simulated UART', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-uart-top-'));
  const layer = randomLayer(SPEC, 41);
  let harness: VerilatorHarness;
  const children: Child[] = [];
  const sessions: HarnessSession[] = [];

  beforeAll(async () => {
    const core = path.join(dir, 'ep_dense_rf1_tb_top.v');
    fs.writeFileSync(core, wrapper(layer));
    const lib = (f: string) => repoPath('templates/verilog/lib', f);
    harness = await buildUartSimulation({
      core: [core, lib('ep_dense_rf1.v'), lib('ep_requant.v')],
      coreTop: 'ep_dense_rf1_tb_top',
      inBytes: SPEC.nIn,
      outBytes: SPEC.nOut,
      name: NAME,
    });
  });
  afterAll(async () => {
    for (const s of sessions) await s.close();
    for (const c of children) await c.kill();
    fs.rmSync(dir, { recursive: true, force: true });
    if (harness) expect(processesMentioning(harness.executable)).toEqual([]);
  });

  it('handshakes, describes the model and runs it bit-exact with Int8Gemm, counting its cycles', async () => {
    const session = await openUartSession(harness, { runTimeoutMs: 120_000 });
    sessions.push(session);
    expect(session.models).toEqual([{ name: NAME, inputBytes: [SPEC.nIn], outputBytes: [SPEC.nOut] }]);
    expect(session.stackWindowBytes).toBeNull();
    const r = new Random(7);
    const vectors = [Array(SPEC.nIn).fill(-128), Array(SPEC.nIn).fill(127), Array(SPEC.nIn).fill(0)];
    for (let v = 0; v < 5; v++) vectors.push(Array.from({ length: SPEC.nIn }, () => -128 + Math.floor(r.next() * 256)));
    const want = reference(layer, vectors);
    for (const [k, vector] of vectors.entries()) {
      const run = await session.run(NAME, [new Uint8Array(Int8Array.from(vector).buffer)]);
      expect(Array.from(new Int8Array(run.outputs[0].buffer, run.outputs[0].byteOffset, SPEC.nOut)), `vector ${k}`).toEqual(want[k]);
      // ep_dense_rf1: latency 3 (input beat to output beat).
      expect(run).toMatchObject({ status: 0, counter: 'fpga-cycles', cycles: 3, ticks: 3, instructions: null, stackBytes: null, stackTotalBytes: null });
    }
    expect(await session.close()).toEqual({ exitCode: 0 });
  });

  it('refuses F (host files) with the protocol\'s ERR and stays in step', async () => {
    const session = await openHostSession(harness.executable, {
      transfer: 'files',
      runTimeoutMs: 120_000,
      program: { args: [String(SIM_CLKS_PER_BIT)], label: 'Verilator UART simulation', debianPackage: 'verilator' },
    });
    sessions.push(session);
    const input = [new Uint8Array(SPEC.nIn)];
    await expect(session.run(0, input)).rejects.toThrow(/the harness refused run of model 0 'dense8x4': unsupported command/);
    await expect(session.run(0, input)).rejects.toThrow(/unsupported command/); // still answering
    expect(await session.close()).toEqual({ exitCode: 0 });
  });

  it('answers malformed commands as the MCU harness does, byte for byte', async () => {
    const { exe } = await buildHostHarness({ workDir: path.join(dir, 'host'), models: [FAKE] });
    const lines = [
      'P 1', 'P', 'P x', 'P 12x', '  P   7  \r', 'P 007', 'P 4294967289', 'P 4294967290', '', ' \t ', 'D x', 'X', 'X y', 'X 1 2',
      'R', 'R x', 'R 1 00', 'R 99999999999', 'R 0', 'R 0 zz', 'R 0 0', 'R 0\r00', 'Z', 'p 1', '?', 'P 2',
    ];
    const fpga = await spawnChild({ command: harness.executable, debianPackage: 'verilator' }, [String(SIM_CLKS_PER_BIT)], { lifetimeMs: 300_000, stdin: true });
    const host = await spawnChild({ command: exe, debianPackage: 'gcc' }, [], { lifetimeMs: 300_000, stdin: true });
    children.push(fpga, host);
    const got = await transcript(fpga, lines);
    const want = await transcript(host, lines);
    expect(got).toEqual(want);
    expect(got).toContain('@EP ERR unknown command');
    expect(got).toContain('@EP ERR usage: P <nonce>');
    expect(got.filter((l) => l.startsWith('@EP PONG'))).toEqual(['@EP PONG 1 1', '@EP PONG 7 1', '@EP PONG 7 1', '@EP PONG 4294967289 1', '@EP PONG 2 1']);
    // X answers BYE: the harness then exits, the design keeps serving.
    expect(await transcript(fpga, ['X 5', 'P 3'])).toEqual(['@EP BYE 5', '@EP PONG 3 1']);
    for (const c of [fpga, host]) c.stdin!.end();
    expect((await fpga.exited).exitCode).toBe(0);
  });
});
