// The C conformance outcomes kept for make test's summary: written and read back whole; a missing or foreign file is refused by name.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCResults, writeCResults } from '../../src/conformance/c-results-file.js';
import { UserError } from '../../src/errors.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-c-results-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('C conformance results file', () => {
  it('reads back what was written', () => {
    const file = path.join(dir, 'sub', 'r.json');
    const r = { host: [{ name: 'a', status: 'passed' as const }, { name: 'b', status: 'refused' as const, reason: 'why' }], target: [{ name: 'a', status: 'failed' as const, reason: 'x' }], targetName: 'mps2-an386' };
    writeCResults(file, r);
    expect(readCResults(file)).toEqual(r);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['r.json']);
  });

  it('refuses a missing file, a file that is not JSON and one of another shape, naming the file', () => {
    const missing = path.join(dir, 'none.json');
    expect(() => readCResults(missing)).toThrow(UserError);
    expect(() => readCResults(missing)).toThrow(/no C conformance results in .*none\.json.*run the suite first/);
    const text = path.join(dir, 'text.json');
    fs.writeFileSync(text, 'conformance: 3 passed');
    expect(() => readCResults(text)).toThrow(/text\.json is not JSON/);
    const other = path.join(dir, 'other.json');
    fs.writeFileSync(other, JSON.stringify({ host: [{ name: 'a', status: 'skipped' }], target: [], targetName: 't' }));
    expect(() => readCResults(other)).toThrow(/other\.json is not a file of C conformance results/);
    fs.writeFileSync(other, JSON.stringify({ host: [] }));
    expect(() => readCResults(other)).toThrow(/other\.json is not a file of C conformance results/);
  });
});
