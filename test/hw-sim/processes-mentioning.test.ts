// The leak checks' process finder (test/hw-sim/support.ts): it sees this run's processes, orphans included, and not
// those of another test run on the machine that happens to run the same cached tool.
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { processesMentioning } from './support.js';

const children: ReturnType<typeof execa>[] = [];
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await Promise.allSettled(children);
});

function sleeper(tag: string, runTmp: string | undefined) {
  const env = { ...process.env, EDGEPRUNE_TEST_RUN_TMP: runTmp };
  const child = execa(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)', tag], { env, extendEnv: false, reject: false, timeout: 60_000 });
  children.push(child);
  return child;
}

async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
}

describe('processesMentioning', () => {
  it("finds this run's processes and those that name no run, not another run's", async () => {
    expect(process.env.EDGEPRUNE_TEST_RUN_TMP).toBeTruthy();
    const tag = `ep-mention-${process.pid}`;
    const ours = sleeper(`${tag}-ours`, process.env.EDGEPRUNE_TEST_RUN_TMP);
    const none = sleeper(`${tag}-none`, undefined);
    const other = sleeper(`${tag}-other`, '/tmp/edgeprune-test-run-another');
    await until(() => processesMentioning(tag).length >= 2);
    const found = processesMentioning(tag).map((p) => p.pid).sort();
    expect(found).toEqual([ours.pid, none.pid].sort());
    expect(found).not.toContain(other.pid);
  });
});
