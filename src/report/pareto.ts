// Pareto dominance for the sweep's plots: a design is dominated when another costs no more and is no less accurate,
// and is better in one of the two.

export interface TradeOff {
  /** The cost (lower is better). */
  cost: number;
  /** The accuracy (higher is better). */
  accuracy: number;
}

/** For each point, whether another point dominates it (equal points do not dominate each other). */
export function dominatedPoints(points: readonly TradeOff[]): boolean[] {
  return points.map((p, i) =>
    points.some((q, j) => j !== i && q.cost <= p.cost && q.accuracy >= p.accuracy && (q.cost < p.cost || q.accuracy > p.accuracy)),
  );
}
