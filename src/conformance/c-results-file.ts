// The C backend's conformance outcomes kept in a file: `make test` has the suite's conformance test write them, and the
// summary printed after the suite reads them instead of compiling and running all the cases a second time.

import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.js';
import type { CConformance } from './c-backend.js';

/** Where the conformance test writes its outcomes (set by `make test`); unset, nothing is written. */
export const C_RESULTS_ENV = 'EDGEPRUNE_CONFORMANCE_C_RESULTS';

const outcome = z.object({ name: z.string(), status: z.enum(['passed', 'failed', 'refused']), reason: z.string().optional() }).strict();
const results = z.object({ host: z.array(outcome), target: z.array(outcome), targetName: z.string() }).strict();

/** Write the outcomes to `file` (atomically: a reader sees the whole file or none). */
export function writeCResults(file: string, r: CConformance): void {
  const staging = `${file}.tmp-${process.pid}`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(staging, JSON.stringify(r));
  fs.renameSync(staging, file);
}

/** The outcomes `writeCResults` kept in `file`; a UserError naming the file when it is missing or not such a file. */
export function readCResults(file: string): CConformance {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`no C conformance results in ${file}: the conformance test writes them when ${C_RESULTS_ENV} names that file (make test sets it); run the suite first, or drop --c-results to run the cases now`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UserError(`${file} is not JSON: it is not a file of C conformance results (delete it and run the suite again)`);
  }
  const r = results.safeParse(parsed);
  if (!r.success) throw new UserError(`${file} is not a file of C conformance results (${r.error.issues[0]?.message ?? 'wrong shape'}): delete it and run the suite again`);
  return r.data;
}
