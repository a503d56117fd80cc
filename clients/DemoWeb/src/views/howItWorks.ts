import type { Explanation } from "../gen/saliency/v1/saliency_pb";

/** How each channel-weighting method computes its weight w_k of feature map A_k (y: the explained class's score). */
const WEIGHT_RULES: Record<string, string> = {
  gradcam: "α_k = the mean over the map of ∂y/∂A_k (how much the score rises when channel k fires more)",
  gradcampp: "w_k = Σ relu(∂y/∂A_k) · a_ij, with Grad-CAM++'s per-position a_ij from the 2nd and 3rd powers of the gradient",
  xgradcam: "w_k = Σ (∂y/∂A_k · A_k) / Σ A_k",
};

/** Draws a h×w map of values into a canvas, scaled by CSS: viridis-like for ≥ 0 maps, blue–white–red when signed. */
export function mapCanvas(source: ArrayLike<number>, width: number, height: number, label: string): HTMLCanvasElement {
  const values = Array.from(source);
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  canvas.className = "map";
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", label);
  const low = Math.min(...values);
  const high = Math.max(...values);
  const signed = low < 0;
  const scale = signed ? Math.max(-low, high) || 1 : high - low || 1;
  const context = canvas.getContext("2d");
  if (context === null) return canvas;
  const image = context.createImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    const value = values[i] ?? 0;
    const [r, g, b] = signed ? diverging(value / scale) : sequential((value - low) / scale);
    image.data.set([r, g, b, 255], i * 4);
  }
  context.putImageData(image, 0, 0);
  return canvas;
}

/** Viridis at five stops, interpolated linearly. */
const VIRIDIS: [number, number, number][] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

function sequential(t: number): [number, number, number] {
  const position = Math.min(Math.max(t, 0), 1) * (VIRIDIS.length - 1);
  const i = Math.min(Math.floor(position), VIRIDIS.length - 2);
  const f = position - i;
  const a = VIRIDIS[i] ?? [0, 0, 0];
  const b = VIRIDIS[i + 1] ?? a;
  return [Math.round(a[0] + f * (b[0] - a[0])), Math.round(a[1] + f * (b[1] - a[1])), Math.round(a[2] + f * (b[2] - a[2]))];
}

function diverging(t: number): [number, number, number] {
  const v = Math.round(255 * (1 - Math.abs(t)));
  return t >= 0 ? [255, v, v] : [v, v, 255];
}

function figure(canvas: HTMLElement, caption: string, testId?: string): HTMLElement {
  const element = document.createElement("figure");
  if (testId !== undefined) element.dataset.testid = testId;
  const text = document.createElement("figcaption");
  text.textContent = caption;
  element.append(canvas, text);
  return element;
}

function step(title: string, ...content: HTMLElement[]): HTMLElement {
  const item = document.createElement("li");
  const heading = document.createElement("p");
  heading.textContent = title;
  item.append(heading, ...content);
  return item;
}

function row(...figures: HTMLElement[]): HTMLElement {
  const element = document.createElement("div");
  element.className = "maps";
  element.append(...figures);
  return element;
}

/** Fills `container` with the method's steps on this image, from the explanation's CamSteps; a note when it has none. */
export function renderHowItWorks(container: HTMLElement, explanation: Explanation, heatmap: HTMLImageElement | undefined): void {
  const steps = explanation.steps;
  const { camWidth: width, camHeight: height } = explanation;
  const target = explanation.prediction?.targetLabel ?? "the class";
  if (steps === undefined || width <= 0 || height <= 0) {
    const note = document.createElement("p");
    note.className = "hint";
    note.dataset.testid = "how-note";
    note.textContent = `${explanation.method} does not weight whole feature maps; pick Grad-CAM, Grad-CAM++ or XGrad-CAM to see the steps with this image's numbers.`;
    container.replaceChildren(note);
    return;
  }
  const list = document.createElement("ol");
  list.className = "how-steps";
  list.append(
    step(
      `1. Run the model once, keeping layer ${explanation.layer}: ${steps.channelCount} feature maps A_k of ${width}×${height}, and the gradients ∂y/∂A_k of the score y for "${target}" (written into the ONNX graph, so one run gives both).`,
    ),
    step(
      `2. Weigh each map: ${WEIGHT_RULES[explanation.method] ?? "w_k, the method's channel weight"}. The ${steps.strongest.length} maps that add most to the sum:`,
      row(
        ...steps.strongest.map((channel) =>
          figure(mapCanvas(channel.activations, width, height, `feature map ${channel.channel}`), `k=${channel.channel}  w=${formatWeight(channel.weight)}`, "how-channel"),
        ),
      ),
    ),
    step(
      `3. Add up w_k · A_k over all ${steps.channelCount} maps (red: raises the score, blue: lowers it):`,
      row(figure(mapCanvas(steps.weightedSum, width, height, "weighted sum"), "Σ w_k · A_k", "how-sum")),
    ),
    step(
      "4. ReLU: keep only what raises the score. This is the CAM:",
      row(figure(mapCanvas(explanation.cam, width, height, "CAM after ReLU"), "ReLU(Σ w_k · A_k)", "how-relu")),
    ),
    step(
      "5. Upsample it (bilinear) to the image and colour it: the heatmap over the slider.",
      ...(heatmap === undefined ? [] : [row(figure(heatmap, "heatmap", "how-heatmap"))]),
    ),
  );
  container.replaceChildren(list);
}

function formatWeight(weight: number): string {
  return Math.abs(weight) >= 0.01 || weight === 0 ? weight.toFixed(3) : weight.toExponential(1);
}
