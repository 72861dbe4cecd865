// The C conformance runner survives a session that ends mid-run (a timeout on a starved emulator, a fault): it opens
// a fresh session, retries that case once, and goes on, so one stall fails at most one case.
import { describe, expect, it } from 'vitest';
import type { HarnessSession, RunResult } from '../../hw-sim/index.js';
import { runCases, type CompiledCase } from '../../src/conformance/c-backend.js';
import { Tensor } from '../../src/ir/tensor.js';

const ONE = new Uint8Array(new Float32Array([1]).buffer);

function compiledCase(name: string): CompiledCase {
  return {
    name,
    library: { name, prefix: name, dir: '/nonexistent', sources: [] },
    feeds: [ONE],
    expected: [Tensor.fromNumbers('float32', [1], [1])],
    tolerance: { atol: 0, rtol: 0 },
  };
}

/** Sessions whose run throws for the names `fails` lists, as many times as listed; records what happened. */
function fakeSessions(fails: string[], log: string[]): () => Promise<HarnessSession> {
  let opened = 0;
  return async () => {
    const id = ++opened;
    log.push(`open ${id}`);
    return {
      kind: 'qemu', transfer: 'uart', models: [], stackWindowBytes: null,
      run: async (model: number | string): Promise<RunResult> => {
        const k = fails.indexOf(String(model));
        if (k >= 0) {
          fails.splice(k, 1);
          log.push(`timeout ${model} in ${id}`);
          throw new Error(`could not send run of model '${model}' in time`);
        }
        log.push(`run ${model} in ${id}`);
        return { outputs: [ONE.slice()], status: 0, counter: 'icount-systick', instructions: 1, cycles: null, ticks: 1, stackBytes: 0 } as RunResult;
      },
      runMany: async () => {
        throw new Error('not used by the conformance runner');
      },
      close: async () => {
        log.push(`close ${id}`);
        return { exitCode: 0 };
      },
    };
  };
}

describe('runCases (C conformance)', () => {
  const cases = ['a', 'b', 'c', 'd'].map(compiledCase);

  it('retries a case in a fresh session after a timeout and runs every later case', async () => {
    const log: string[] = [];
    const r = await runCases(fakeSessions(['b'], log), cases);
    expect(r.outcomes.map((o) => `${o.name}:${o.status}`)).toEqual(['a:passed', 'b:passed', 'c:passed', 'd:passed']);
    expect(log).toEqual(['open 1', 'run a in 1', 'timeout b in 1', 'close 1', 'open 2', 'run b in 2', 'run c in 2', 'run d in 2', 'close 2']);
  });

  it('fails a case that times out twice, alone, and stops after too many restarts', async () => {
    const log: string[] = [];
    const once = await runCases(fakeSessions(['b', 'b'], log), cases);
    expect(once.outcomes.map((o) => o.status)).toEqual(['passed', 'failed', 'passed', 'passed']);
    expect(once.outcomes[1].status === 'failed' && once.outcomes[1].reason).toMatch(/in time \(twice, in fresh sessions\)/);
    const many = await runCases(fakeSessions(['a', 'a', 'b', 'b'], []), cases);
    expect(many.outcomes.map((o) => o.status)).toEqual(['failed', 'failed', 'failed', 'failed']);
    expect(many.outcomes[3].status === 'failed' && many.outcomes[3].reason).toMatch(/not run: 3 sessions ended before it/);
  });
});
