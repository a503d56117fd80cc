import { linePath, toPlotX, toPlotY, type CurvePoint, type PlotBox } from "../curve";

const SVG = "http://www.w3.org/2000/svg";
const BOX: PlotBox = { width: 320, height: 200, left: 34, right: 10, top: 10, bottom: 30 };

/** The insertion (and deletion) curve as an inline SVG, with a marker that follows the slider. */
export class CurvePlot {
  readonly element: SVGSVGElement;
  readonly #insertion: SVGPathElement;
  readonly #deletion: SVGPathElement;
  readonly #points: SVGGElement;
  readonly #markerLine: SVGLineElement;
  readonly #markerDot: SVGCircleElement;

  constructor(container: HTMLElement) {
    this.element = svg("svg", {
      viewBox: `0 0 ${BOX.width} ${BOX.height}`,
      role: "img",
      "aria-label": "Target-class probability against percent of pixels revealed",
    });
    this.element.append(this.#axes());
    this.#deletion = svg("path", { class: "curve-deletion", d: "" });
    this.#insertion = svg("path", { class: "curve-insertion", d: "", "data-testid": "insertion-path" });
    this.#points = svg("g", { class: "curve-points" });
    this.#markerLine = svg("line", { class: "curve-marker", y1: BOX.top, y2: BOX.height - BOX.bottom, visibility: "hidden" });
    this.#markerDot = svg("circle", { class: "curve-marker-dot", r: 4.5, visibility: "hidden" });
    this.element.append(this.#deletion, this.#insertion, this.#points, this.#markerLine, this.#markerDot);
    container.replaceChildren(this.element);
  }

  update(insertion: readonly CurvePoint[], deletion: readonly CurvePoint[] | undefined): void {
    this.#insertion.setAttribute("d", linePath(insertion, BOX));
    this.#deletion.setAttribute("d", deletion === undefined ? "" : linePath(deletion, BOX));
    this.element.dataset.points = String(insertion.length);
    this.#points.replaceChildren(
      ...insertion.map((p) => svg("circle", { cx: toPlotX(p.percent, BOX), cy: toPlotY(p.probability, BOX), r: 2.2 })),
    );
  }

  /** Moves the marker to a point, or hides it. */
  mark(point: CurvePoint | undefined): void {
    const visibility = point === undefined ? "hidden" : "visible";
    this.#markerLine.setAttribute("visibility", visibility);
    this.#markerDot.setAttribute("visibility", visibility);
    if (point === undefined) return;
    const x = toPlotX(point.percent, BOX);
    setAttributes(this.#markerLine, { x1: x, x2: x });
    setAttributes(this.#markerDot, { cx: x, cy: toPlotY(point.probability, BOX) });
  }

  clear(): void {
    this.update([], undefined);
    this.mark(undefined);
  }

  #axes(): SVGGElement {
    const group = svg("g", { class: "curve-axes" });
    const bottom = BOX.height - BOX.bottom;
    for (const probability of [0, 0.25, 0.5, 0.75, 1]) {
      const y = toPlotY(probability, BOX);
      group.append(svg("line", { class: "grid", x1: BOX.left, x2: BOX.width - BOX.right, y1: y, y2: y }));
      if (probability * 2 === Math.round(probability * 2)) {
        group.append(text(String(probability), { x: BOX.left - 6, y: y + 3.5, "text-anchor": "end" }));
      }
    }
    for (const percent of [0, 25, 50, 75, 100]) {
      const x = toPlotX(percent, BOX);
      group.append(svg("line", { class: "tick", x1: x, x2: x, y1: bottom, y2: bottom + 4 }));
      group.append(text(`${percent}%`, { x, y: bottom + 15, "text-anchor": "middle" }));
    }
    group.append(svg("line", { class: "axis", x1: BOX.left, x2: BOX.width - BOX.right, y1: bottom, y2: bottom }));
    group.append(svg("line", { class: "axis", x1: BOX.left, x2: BOX.left, y1: BOX.top, y2: bottom }));
    group.append(text("revealed", { x: BOX.width - BOX.right, y: BOX.height - 2, "text-anchor": "end", class: "axis-title" }));
    return group;
  }
}

type Attributes = Record<string, string | number>;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Attributes): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  setAttributes(element, attributes);
  return element;
}

function text(content: string, attributes: Attributes): SVGTextElement {
  const element = svg("text", attributes);
  element.textContent = content;
  return element;
}

function setAttributes(element: Element, attributes: Attributes): void {
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
}
