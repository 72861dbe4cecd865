// Locations of the bundled conformance data, relative to the package root (works from src/ and dist/).

import { repoPath } from '../util/package-root.js';

export const NODE_TESTS_DIR = repoPath('test/fixtures/onnx-node-tests');
export const SKIP_LIST_FILE = repoPath('test/conformance/skipped.json');
export const TOLERANCES_FILE = repoPath('test/conformance/tolerances.json');
export const C_REFUSED_FILE = repoPath('test/conformance/c-refused.json');
