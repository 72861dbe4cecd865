// procStat: the state, parent and start time of a process from /proc/<pid>/stat, also when its name holds ') ('.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { procStat } from '../../src/util/proc-stat.js';

const made: string[] = [];
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('procStat', () => {
  it("reads this process's parent and a start time that stays the same", () => {
    const own = procStat(process.pid)!;
    expect(own.parentPid).toBe(process.ppid);
    expect(own.state).toMatch(/^[RS]$/);
    expect(own.startTicks).toMatch(/^\d+$/);
    expect(procStat(process.pid)!.startTicks).toBe(own.startTicks);
  });

  it("parses past a command name with spaces and parentheses (the child's parent is this process)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-proc-stat-'));
    made.push(dir);
    const tricky = path.join(dir, 'a) S 1 (b');
    fs.symlinkSync('/bin/sleep', tricky);
    const child = spawn(tricky, ['30'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      const stat = procStat(child.pid!)!;
      expect(fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8')).toContain('(a) S 1 (b)');
      expect(stat.parentPid).toBe(process.pid);
      expect(stat.startTicks).toMatch(/^\d+$/);
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });

  it('is null for a process that does not exist', () => {
    expect(procStat(2 ** 22 + 1)).toBeNull();
  });
});
