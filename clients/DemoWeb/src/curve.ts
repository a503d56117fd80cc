/** Pure geometry of the insertion/deletion curve plot: points, AUC and the SVG path. */

export interface CurvePoint {
  /** Percent of pixels revealed (insertion) or deleted (deletion), 0..100. */
  readonly percent: number;
  /** Probability of the target class, 0..1. */
  readonly probability: number;
}

export interface PlotBox {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

/** Points sorted by percent, so a curve drawn through frames that arrived out of order is a line. */
export function sortedPoints(points: readonly CurvePoint[]): CurvePoint[] {
  return [...points].sort((a, b) => a.percent - b.percent);
}

/**
 * Area under the curve by the trapezoid rule with x as a fraction 0..1, like the server's
 * Completed.insertion_auc; over the frames held so far, so it is a preview while streaming.
 */
export function trapezoidAuc(points: readonly CurvePoint[]): number {
  const sorted = sortedPoints(points);
  let area = 0;
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    area += ((b.percent - a.percent) / 100) * ((a.probability + b.probability) / 2);
  }
  return area;
}

export function toPlotX(percent: number, box: PlotBox): number {
  return box.left + (percent / 100) * (box.width - box.left - box.right);
}

export function toPlotY(probability: number, box: PlotBox): number {
  const clamped = Math.min(1, Math.max(0, probability));
  return box.top + (1 - clamped) * (box.height - box.top - box.bottom);
}

/** An SVG path "M x y L x y ..." through the points in percent order; empty for no points. */
export function linePath(points: readonly CurvePoint[], box: PlotBox): string {
  return sortedPoints(points)
    .map((p, i) => `${i === 0 ? "M" : "L"}${round(toPlotX(p.percent, box))} ${round(toPlotY(p.probability, box))}`)
    .join(" ");
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
