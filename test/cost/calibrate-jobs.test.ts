// Calibration as jobs gives the bytes of the one-process calibration: a partial calibration (10 cases in 2 jobs)
// measured in this process, on 1 and on 2 local workers, and through a real redis-server served by 2
// `edgeprune worker --queue` processes. Four runs writing the same bytes is also calibrate's determinism check (the
// command writes its file through the same calibrateTarget: test/cost/calibrate.test.ts). The worst-case calibration
// that follows it: the same bytes in this process, on 2 local workers and through Redis.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../hw-sim/redis/server.js';
import { calibrateTarget } from '../../src/cost/calibrate.js';
import { calibrationJobs } from '../../src/cost/calibrate-jobs.js';
import { calibrateWorstCase } from '../../src/cost/calibrate-worst-case.js';
import { readWorstCaseCalibrationFile } from '../../src/cost/worst-case-calibration.js';
import { calibrationSuite } from '../../src/cost/suite.js';
import { LocalRunner } from '../../src/jobs/local-runner.js';
import { parseQueueUrl } from '../../src/jobs/redis-connection.js';
import { RedisRunner } from '../../src/jobs/redis-runner.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { skipWithoutTools } from '../support/toolchain.js';

const skip = await skipWithoutTools('test/cost/calibrate-jobs.test.ts', ['redis-server']);
const BIN = path.resolve('bin/edgeprune.js');
const ONLY = ['unary.Relu', 'softmax.'];
const JOB_CASES = 5;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ep-calibrate-jobs-'));
let server: RedisServer | undefined;
const workers: ResultPromise[] = [];
afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await Promise.allSettled(workers);
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(skip)('calibrate as jobs', () => {
  it('writes the same bytes in one process, on 1 and 2 local workers, and through Redis with 2 workers', async () => {
    const target = findMcuTarget('stm32f405');
    const suite = calibrationSuite().filter((c) => c.name.startsWith('view.') || ONLY.some((p) => c.name.startsWith(p)));
    expect(calibrationJobs(target, suite, 'O2', JOB_CASES).length).toBe(2);

    const file = (name: string) => path.join(dir, `${name}.json`);
    await calibrateTarget(target, { only: ONLY, file: file('process') });
    const one = await calibrateTarget(target, { only: ONLY, file: file('one'), runner: new LocalRunner({ workers: 1 }), jobCases: JOB_CASES });
    await calibrateTarget(target, { only: ONLY, file: file('two'), runner: new LocalRunner({ workers: 2 }), jobCases: JOB_CASES });

    server = await startRedisServer();
    for (let i = 0; i < 2; i++) workers.push(execa(process.execPath, [BIN, 'worker', '--queue', server.url], { reject: false, stdin: 'ignore', timeout: 600_000 }));
    const redis = new RedisRunner(parseQueueUrl(server.url));
    const lines: string[] = [];
    try {
      await calibrateTarget(target, { only: ONLY, file: file('redis'), runner: redis, jobCases: JOB_CASES, log: (l) => lines.push(l) });
      // The worst-case calibration that calibrate makes next (the softmax's cases on adversarial vectors) on the same runner.
      await calibrateWorstCase(target, { cal: one.calibration, file: file('worst-redis'), runner: redis });
    } finally {
      await redis.close();
    }
    expect(lines).toContain(`2 jobs of up to 5 models on the Redis queue at ${server.url}`);

    const reference = fs.readFileSync(file('process'), 'utf8');
    expect(Object.keys(one.calibration.kernels)).toEqual(['ep_softmax_f32', 'ep_unary_f32:RELU']);
    for (const name of ['one', 'two', 'redis']) expect(fs.readFileSync(file(name), 'utf8'), name).toBe(reference);

    await calibrateWorstCase(target, { cal: one.calibration, file: file('worst-process') });
    await calibrateWorstCase(target, { cal: one.calibration, file: file('worst-two'), runner: new LocalRunner({ workers: 2 }) });
    const worst = readWorstCaseCalibrationFile(file('worst-process'));
    expect(Object.keys(worst.kernels)).toEqual(['ep_softmax_f32']);
    for (const name of ['worst-two', 'worst-redis']) expect(fs.readFileSync(file(name), 'utf8'), name).toBe(fs.readFileSync(file('worst-process'), 'utf8'));
  });
});
