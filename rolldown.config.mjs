// Bundles the compiled CLI (tsc's dist/src) into dist/bundle/: the command and the local pool worker start from a few
// chunks (one per command, loaded as main.ts asks for it) instead of reading and linking hundreds of modules.
import fs from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'rolldown';

/**
 * Packages loaded from node_modules at run time, as without the bundle: native bindings (serialport, onnxruntime),
 * files found next to their own modules (bullmq's Lua scripts, the TF.js wasm binaries), and TF.js, whose backends
 * register on the one tfjs-core they import.
 */
const EXTERNAL = [/^node:/, 'bullmq', 'ioredis', 'serialport', /^@serialport\//, /^@tensorflow\//, 'onnxruntime-node'];

/**
 * onnx-proto (CommonJS) is required instead of imported: an import makes Node scan its 330 kB for named exports
 * (about 50 ms at each start), and bundled, protobufjs would lose Long (it finds the `long` package through an
 * eval'd require). Required from the bundle, it is the same module.exports an import gives as its default.
 */
const requireOnnxProto = {
  name: 'require-onnx-proto',
  resolveId: (id) => (id === 'onnx-proto' ? '\0onnx-proto' : null),
  load: (id) => (id === '\0onnx-proto' ? "import { createRequire } from 'node:module';\nexport default createRequire(import.meta.url)('onnx-proto');\n" : null),
};

/** tsc's modules with their source maps, so that the bundle's maps lead to the TypeScript. */
const tscSourceMaps = {
  name: 'tsc-source-maps',
  load(id) {
    if (!id.startsWith(path.resolve('dist') + path.sep) || !id.endsWith('.js') || !fs.existsSync(`${id}.map`)) return null;
    return { code: fs.readFileSync(id, 'utf8'), map: fs.readFileSync(`${id}.map`, 'utf8') };
  },
};

export default defineConfig({
  input: {
    edgeprune: 'dist/src/cli/main.js',
    'local-worker': 'dist/src/jobs/local-worker-main.js',
  },
  platform: 'node',
  external: EXTERNAL,
  plugins: [requireOnnxProto, tscSourceMaps],
  output: {
    dir: 'dist/bundle',
    format: 'esm',
    chunkFileNames: 'chunks/[name]-[hash].js',
    // Licence headers stay; other comments are only bytes to read at each start.
    comments: { legal: true, annotation: false, jsdoc: false },
    // To the TypeScript (through tsc's maps), used when --debug turns source maps on (bin/edgeprune.js).
    sourcemap: true,
    // Stack traces need the mappings only (the sources are in the repository): smaller maps, read faster.
    sourcemapExcludeSources: true,
    cleanDir: true,
  },
});
