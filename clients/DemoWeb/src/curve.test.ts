import { describe, expect, it } from "vitest";
import { linePath, sortedPoints, toPlotX, toPlotY, trapezoidAuc, type PlotBox } from "./curve";

const box: PlotBox = { width: 120, height: 70, left: 10, right: 10, top: 10, bottom: 10 };

describe("trapezoidAuc", () => {
  it("integrates over 0..1 whatever order the points arrived in", () => {
    const points = [
      { percent: 100, probability: 1 },
      { percent: 0, probability: 0 },
      { percent: 50, probability: 1 },
    ];
    // 0.5 * (0 + 1) / 2 + 0.5 * (1 + 1) / 2
    expect(trapezoidAuc(points)).toBeCloseTo(0.75, 10);
  });

  it("is 0 for fewer than two points and equals the constant for a flat curve", () => {
    expect(trapezoidAuc([])).toBe(0);
    expect(trapezoidAuc([{ percent: 50, probability: 0.9 }])).toBe(0);
    expect(trapezoidAuc([{ percent: 0, probability: 0.4 }, { percent: 100, probability: 0.4 }])).toBeCloseTo(0.4, 10);
  });
});

describe("plot geometry", () => {
  it("maps percent and probability into the plot box", () => {
    expect(toPlotX(0, box)).toBe(10);
    expect(toPlotX(100, box)).toBe(110);
    expect(toPlotY(1, box)).toBe(10);
    expect(toPlotY(0, box)).toBe(60);
    expect(toPlotY(3, box)).toBe(10);
  });

  it("draws the line through the points in percent order", () => {
    const path = linePath(
      [
        { percent: 100, probability: 1 },
        { percent: 0, probability: 0 },
      ],
      box,
    );
    expect(path).toBe("M10 60 L110 10");
    expect(linePath([], box)).toBe("");
    expect(sortedPoints([{ percent: 5, probability: 0 }, { percent: 1, probability: 0 }]).map((p) => p.percent)).toEqual([1, 5]);
  });
});
