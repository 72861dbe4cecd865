// Knowledge distillation (soft targets): the loss against its definition, its gradient, and a fit where the teacher decides the result.
import * as tf from '../../src/train/tf.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { digitsMlp } from '../../src/models/sample-models.js';
import { buildTrainable, dispose, evaluate, initTraining, predict, train } from '../../src/train/index.js';
import { distillationLoss, lossOf } from '../../src/train/train.js';
import { digitsSplit } from './helpers.js';

beforeAll(async () => {
  await initTraining({ seed: 1 });
});

const student = tf.tensor2d([[1.5, -0.3, 0.2], [0.1, 0.9, -1.2]]);
const labels = tf.tensor2d([[1, 0, 0], [0, 0, 1]]);

describe('distillationLoss', () => {
  it('with a teacher that is the labels\' one-hot (T = 1) reduces to the cross-entropy, whatever α', () => {
    const teacher = tf.mul(labels, 60) as tf.Tensor2D;
    const ce = lossOf('softmax-crossentropy', student, labels).arraySync() as number;
    for (const alpha of [0, 0.3, 1]) {
      expect(distillationLoss('softmax-crossentropy', student, labels, teacher, 1, alpha).arraySync() as number).toBeCloseTo(ce, 5);
    }
  });

  it('is α·CE + (1 − α)·T²·KL(softmax(teacher/T) ‖ softmax(student/T)), computed by hand', () => {
    const teacher = tf.tensor2d([[0.5, 0.2, -0.1], [-1, 2, 0.3]]);
    const T = 3;
    const alpha = 0.25;
    const s = student.arraySync();
    const t = teacher.arraySync();
    const softmax = (z: number[]) => {
      const e = z.map((v) => Math.exp(v / T));
      const sum = e.reduce((a, b) => a + b);
      return e.map((v) => v / sum);
    };
    let kl = 0;
    for (let i = 0; i < 2; i++) {
      const p = softmax(t[i]);
      const q = softmax(s[i]);
      kl += p.reduce((a, pi, j) => a + pi * Math.log(pi / q[j]), 0) / 2;
    }
    const ce = lossOf('softmax-crossentropy', student, labels).arraySync() as number;
    expect(distillationLoss('softmax-crossentropy', student, labels, teacher, T, alpha).arraySync() as number).toBeCloseTo(alpha * ce + (1 - alpha) * T * T * kl, 5);
  });

  it('its soft part has the gradient T·(softmax(student/T) − softmax(teacher/T)) / n with respect to the student logits', () => {
    const teacher = tf.tensor2d([[0.5, 0.2, -0.1], [-1, 2, 0.3]]);
    const T = 2;
    const grad = tf.grad((z: tf.Tensor) => distillationLoss('softmax-crossentropy', z as tf.Tensor2D, labels, teacher, T, 0))(student);
    const expected = tf.div(tf.mul(T, tf.sub(tf.softmax(tf.div(student, T)), tf.softmax(tf.div(teacher, T)))), 2);
    const diff = tf.max(tf.abs(tf.sub(grad, expected))).arraySync() as number;
    expect(diff).toBeLessThan(1e-5);
  });

  it('a model ending in Softmax distils through the log of its probabilities', () => {
    const teacher = tf.tensor2d([[0.5, 0.2, -0.1], [-1, 2, 0.3]]);
    const probs = tf.softmax(student) as tf.Tensor2D;
    const fromLogits = distillationLoss('softmax-crossentropy', student, labels, teacher, 4, 0.5).arraySync() as number;
    expect(distillationLoss('crossentropy', probs, labels, teacher, 4, 0.5).arraySync() as number).toBeCloseTo(fromLogits, 4);
  });
});

describe('training with a teacher', () => {
  it('the soft targets decide what a student learns when the labels weigh nothing (α = 0): a teacher with shifted classes teaches shifted classes', async () => {
    const { train: trainSet, test: testSet } = digitsSplit();
    // 5 epochs for the teacher and each student: teacher 95.0%, faithful student 94.2%, misled 0.6% (15 epochs were 4 CPU-s
    // more: 14.8 against 11.1 for the file), far from the limits below either way.
    const epochs = 5;
    const teacherModel = await buildTrainable(digitsMlp());
    await train(teacherModel, trainSet, { epochs, learningRate: 3e-3, seed: 1 });
    // The MLP ends in Softmax: its logits are the log of its probabilities.
    const logits = ((await predict(teacherModel, trainSet.features)).data as Float32Array).map((p) => Math.log(Math.max(p, 1e-7)));
    const teacherAccuracy = (await evaluate(teacherModel, testSet)).accuracy;
    dispose(teacherModel);
    // The same teacher with its classes rotated by one: class c's scores moved to c + 1.
    const shifted = new Float32Array(logits.length);
    for (let i = 0; i < trainSet.count; i++) for (let c = 0; c < 10; c++) shifted[i * 10 + ((c + 1) % 10)] = logits[i * 10 + c];

    const fit = async (teacherLogits: Float32Array) => {
      const t = await buildTrainable(digitsMlp());
      await train(t, trainSet, { epochs, learningRate: 3e-3, seed: 2, teacher: { logits: teacherLogits, temperature: 2, alpha: 0 } });
      const accuracy = (await evaluate(t, testSet)).accuracy;
      dispose(t);
      return accuracy;
    };
    const faithful = await fit(logits);
    const misled = await fit(shifted);
    expect(teacherAccuracy).toBeGreaterThan(0.85);
    expect(faithful).toBeGreaterThan(0.8);
    expect(misled).toBeLessThan(0.2);
  });
});
