// A write that failed for a reason of the environment becomes a user error whose hint fits the cause: space only when
// the disk is full, another output for a permission or a path in the way.
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { outputError } from '../../src/util/output-path.js';

const fsError = (code: string) => Object.assign(new Error(code), { code, path: '/sys/kernel/x' });

describe('outputError', () => {
  it('a full disk: free some space', () => {
    const e = outputError('out', fsError('ENOSPC')) as UserError;
    expect(e).toBeInstanceOf(UserError);
    expect(e.message).toBe("cannot write 'out': no space left on the device (ENOSPC at '/sys/kernel/x')");
    expect(e.hint).toBe('free some space or choose an output on another disk, then run the command again');
  });
  it('a permission (EPERM under /sys, EACCES) or a file in the way: another output, not space', () => {
    for (const code of ['EPERM', 'EACCES', 'EROFS', 'ENOTDIR']) {
      const e = outputError('out', fsError(code)) as UserError;
      expect(e, code).toBeInstanceOf(UserError);
      expect(e.hint, code).toBe('choose an output you can write to, then run the command again');
    }
  });
  it('anything else is left as it is (a bug, exit 1)', () => {
    const other = new Error('boom');
    expect(outputError('out', other)).toBe(other);
  });
});
