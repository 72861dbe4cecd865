// The host build and the target build of one folder, run at once: both settle before a failure is reported (the
// caller removes their folder right after), and when both fail the error is chosen by kind, not by which came first.

import { MissingToolError } from './tools.js';

/**
 * Await `host` and `target` (started by the caller, both writing into one folder). When either fails, the other is
 * waited for first; the error reported is a missing tool's if either is one (what to install says more than the
 * compile failure an incomplete PATH causes in the other build), else the host build's, else the target build's.
 */
export async function bothBuilds<H, T>(host: Promise<H>, target: Promise<T>): Promise<[H, T]> {
  const [h, t] = await Promise.allSettled([host, target]);
  if (h.status === 'fulfilled' && t.status === 'fulfilled') return [h.value, t.value];
  const failures = [h, t].flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  throw failures.find((e) => e instanceof MissingToolError) ?? failures[0];
}
