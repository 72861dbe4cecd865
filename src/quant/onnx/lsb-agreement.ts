// Agreement of two runs of a quantized model in LSB (units of the quantized tensor's scale): the share of elements
// equal, the largest difference, and how many differ by each amount. Used by the onnxruntime agreement bench and tests.

import type { Tensor } from '../../ir/tensor.js';

export class LsbAgreement {
  elements = 0;
  equal = 0;
  maxLsb = 0;
  /** Count of elements by their difference in LSB (0, 1, 2, ...). */
  readonly histogram = new Map<number, number>();

  /**
   * Compare two tensors element by element: integer tensors directly, float tensors (dequantized outputs) divided by
   * `scale` and rounded to whole LSB.
   */
  add(ours: Tensor, theirs: Tensor, scale = 1): void {
    if (ours.size !== theirs.size) throw new Error(`cannot compare ${ours.size} elements with ${theirs.size}`);
    for (let i = 0; i < ours.size; i++) {
      const difference = Math.round(Math.abs(ours.at(i) - theirs.at(i)) / scale);
      const lsb = Number.isNaN(difference) ? Infinity : difference;
      this.elements++;
      if (lsb === 0) this.equal++;
      if (lsb > this.maxLsb) this.maxLsb = lsb;
      this.histogram.set(lsb, (this.histogram.get(lsb) ?? 0) + 1);
    }
  }

  get equalShare(): number {
    return this.elements === 0 ? 1 : this.equal / this.elements;
  }
}
