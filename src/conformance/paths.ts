// Locations of the bundled conformance data, relative to the package root (works from src/ and dist/).

import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

export const NODE_TESTS_DIR = `${root}test/fixtures/onnx-node-tests`;
export const SKIP_LIST_FILE = `${root}test/conformance/skipped.json`;
export const TOLERANCES_FILE = `${root}test/conformance/tolerances.json`;
