// bothBuilds: the host and target builds of one folder settle before a failure is reported, and the error is chosen by kind.
import { describe, expect, it } from 'vitest';
import { bothBuilds } from '../../hw-sim/build/both-builds.js';
import { MissingToolError } from '../../hw-sim/build/tools.js';

const missing = new MissingToolError({ command: 'arm-none-eabi-gcc', debianPackage: 'gcc-arm-none-eabi' });
const later = <T>(ms: number, f: () => T): Promise<T> => new Promise((resolve, reject) => setTimeout(() => { try { resolve(f()); } catch (e) { reject(e); } }, ms));

describe('bothBuilds', () => {
  it('gives both results', async () => {
    expect(await bothBuilds(later(5, () => 'host'), Promise.resolve(3))).toEqual(['host', 3]);
  });

  it('waits for the other build before it reports a failure', async () => {
    let hostDone = false;
    const host = later(30, () => { hostDone = true; return 'host'; });
    await expect(bothBuilds(host, Promise.reject(missing))).rejects.toBe(missing);
    expect(hostDone).toBe(true);
  });

  it('reports a missing tool over a compile failure, whichever ended first', async () => {
    const compile = new Error('compiling harness.c for the host failed: gcc: fatal error: cannot execute \'as\'');
    await expect(bothBuilds(Promise.reject(compile), later(20, () => { throw missing; }))).rejects.toBe(missing);
    await expect(bothBuilds(later(20, () => { throw compile; }), Promise.reject(missing))).rejects.toBe(missing);
  });

  it('otherwise reports the host build\'s failure, then the target\'s', async () => {
    const hostError = new Error('host');
    const targetError = new Error('target');
    await expect(bothBuilds(later(20, () => { throw hostError; }), Promise.reject(targetError))).rejects.toBe(hostError);
    await expect(bothBuilds(Promise.resolve(1), later(5, () => { throw targetError; }))).rejects.toBe(targetError);
  });
});
