// Hostile model text (names that try to end a comment, inject Makefile rules, drive the terminal) and a small model
// carrying them on its graph, nodes, initializers, inputs and outputs: for the escaping tests and the fuzz bench.
import onnxProto from 'onnx-proto';
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { exportOnnx } from '../../src/onnx/export.js';

export interface HostileName {
  /** What the name tries. */
  label: string;
  text: string;
}

/** The file a successful Makefile or shell injection would create (the tests check it never appears). */
export const PWNED_FILE = 'PWNED';

export const HOSTILE_NAMES: readonly HostileName[] = [
  { label: 'quotes', text: `it's "quoted" 'twice'` },
  { label: 'comment end, then a kept definition', text: '*/ __attribute__((used)) const char pwned_used[] = "pwned"; /*' },
  { label: 'comment end, then a constructor', text: '*/ __attribute__((constructor)) static void pwned_ctor(void) { extern int system(const char *); system("touch PWNED"); } /*' },
  { label: 'comment start', text: '/* never closed' },
  { label: 'line comment', text: '// the rest of the line' },
  { label: 'comment markers overlapping', text: '*/*/**//' },
  { label: 'backslash at the end', text: 'ends with a backslash\\' },
  { label: 'backslash and spaces at the end', text: 'backslash, then spaces\\   ' },
  { label: 'CR LF', text: 'line one\r\nline two' },
  { label: 'newline and a Makefile rule', text: `x\nall:\n\ttouch ${PWNED_FILE}\n` },
  { label: 'make shell function', text: `$(shell touch ${PWNED_FILE})` },
  { label: 'shell command substitution', text: `'; touch ${PWNED_FILE}; echo '$(touch ${PWNED_FILE})\`touch ${PWNED_FILE}\`` },
  { label: 'Handlebars', text: '{{prefix}} {{{modelName}}} {{#each x}}' },
  { label: 'preprocessor directive', text: '\n#define float int\n#include "/etc/passwd"\n' },
  { label: 'NUL', text: 'nul\u0000byte' },
  { label: 'ANSI escapes', text: '\u001b[31mred\u001b[0m\u001b]0;pwned title\u0007\u001b[2J\u001b[1A' },
  { label: 'C1 control and DEL', text: 'csi\u009b31m del\u007f' },
  { label: 'bidi override', text: 'access\u202e nimda\u202c \u2066isolate\u2069' },
  { label: 'line separator', text: 'line\u2028paragraph\u2029' },
  { label: 'CJK', text: '卷积层一' },
  { label: 'emoji', text: '🔥🧠 layer' },
  { label: 'combining marks', text: 'e\u0301\u0308\u0336' },
  { label: '5,000 characters', text: '*/'.repeat(2500) },
  { label: 'trigraph', text: 'what??/' },
  { label: 'trigraph define', text: '??=define pwned 1' },
  { label: 'collides after sanitizing (dot)', text: 'conv.1' },
  { label: 'collides after sanitizing (dash)', text: 'conv-1' },
  { label: 'C keyword', text: 'int' },
  { label: 'C++ keyword', text: 'class' },
  { label: 'reserved double underscore', text: '__reserved__' },
  { label: 'digits only', text: '12345' },
  { label: 'empty', text: '' },
  { label: 'printf format', text: '%s%n%x%%' },
  { label: 'Verilog directive', text: '`define pwned 1\nendmodule' },
  { label: 'HTML', text: '<script>alert("pwned")</script>&amp;<b onmouseover=x>' },
];

/** The graph's own name: a Makefile rule, a shell function, a C comment end and an ANSI sequence at once. */
export const HOSTILE_GRAPH_NAME = `model\n$(shell touch ${PWNED_FILE})\nall:\n\ttouch ${PWNED_FILE}\n# */ int pwned_graph; /*\u001b[31m\\`;
export const HOSTILE_PRODUCER = '\u001b]0;pwned\u0007producer\r\n\u001b[2K';
export const HOSTILE_INPUT = 'in"put\n*/ #define pwned_input 1 /*';
export const HOSTILE_OUTPUT = '\u001b[2Jout*/\n\u202e';

/** The names a corpus model carries; `plainNames` gives the same model with ordinary names, to compare with. */
export interface ModelNames {
  graph: string;
  producer: string;
  input: string;
  output: string;
  /** One per layer: its node name and (unless empty) its initializer's name. */
  layers: string[];
}

export const HOSTILE_MODEL_NAMES: ModelNames = {
  graph: HOSTILE_GRAPH_NAME,
  producer: HOSTILE_PRODUCER,
  input: HOSTILE_INPUT,
  output: HOSTILE_OUTPUT,
  layers: HOSTILE_NAMES.map((n) => n.text),
};

/** The same shape of model with plain names (node_3, init_3, ...). */
export function plainNames(count = HOSTILE_NAMES.length): ModelNames {
  return { graph: 'plain', producer: 'test', input: 'input', output: 'output', layers: Array.from({ length: count }, (_, i) => `layer_${i}`) };
}

export const CORPUS_INPUT_SHAPE = [1, 4];

/**
 * A small float model compiled by the C backend: Gemm 4→4 (weights and bias named by layers 0 and 1), Relu, then one
 * Add or Mul with a 4-element constant per remaining layer. Node names are the layer names (an empty one is renamed
 * by the ONNX importer); initializers carry the layer names too (`init_<i>` for the empty one); intermediate values
 * are `<i>:<layer name>` (a leading digit, the name's ending kept).
 */
export function corpusModel(names: ModelNames = HOSTILE_MODEL_NAMES): Graph {
  const b = new GraphBuilder(names.graph);
  const layers = names.layers;
  if (layers.length < 3) throw new Error('corpusModel needs at least 3 layer names');
  const initName = (i: number) => layers[i] || `init_${i}`;
  const valueName = (i: number) => `${i}:${layers[i]}`;
  const w = Float32Array.from({ length: 16 }, (_, k) => ((k * 7) % 11) / 10 - 0.4);
  const bias = Float32Array.from([0.1, -0.2, 0.3, 0.05]);
  let x = b.input(names.input, 'float32', CORPUS_INPUT_SHAPE);
  b.initializer(initName(0), new Tensor('float32', [4, 4], w));
  b.initializer(initName(1), new Tensor('float32', [4], bias));
  x = b.node('Gemm', [x, initName(0), initName(1)], {}, { name: layers[0], outputs: [valueName(0)] })[0];
  x = b.node('Relu', [x], {}, { name: layers[1], outputs: [valueName(1)] })[0];
  for (let i = 2; i < layers.length; i++) {
    const last = i === layers.length - 1;
    const constant = Float32Array.from({ length: 4 }, (_, k) => (i % 2 === 0 ? 0.01 * (i + k) : 1 + 0.001 * (i - k)));
    b.initializer(initName(i), new Tensor('float32', [4], constant));
    x = b.node(i % 2 === 0 ? 'Add' : 'Mul', [x, initName(i)], {}, { name: layers[i], outputs: [last ? names.output : valueName(i)] })[0];
  }
  b.output(x);
  const g = b.build();
  g.meta.producer = names.producer;
  return g;
}

/** The corpus model as an ONNX file's bytes, with the producer name too (the exporter writes its own). */
export function corpusModelFile(names: ModelNames = HOSTILE_MODEL_NAMES): Uint8Array {
  const { onnx } = onnxProto;
  const model = onnx.ModelProto.decode(exportOnnx(corpusModel(names)));
  model.producerName = names.producer;
  return onnx.ModelProto.encode(model).finish();
}
