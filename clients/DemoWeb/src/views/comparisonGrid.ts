import type { MethodResult } from "../gen/saliency/v1/saliency_pb";
import { comparisonScore, rankResults } from "../compareMethods";

/**
 * Small multiples of a comparison, best first: each method's heatmap over the image, its insertion and deletion AUC
 * and sufficiency point; a click on one calls `onChoose` with its method name.
 */
export function renderComparison(
  grid: HTMLElement,
  results: readonly MethodResult[],
  preview: ImageBitmap | undefined,
  labelOf: (method: string) => string,
  onChoose: (method: string) => void,
): void {
  grid.replaceChildren(
    ...rankResults(results).map((result, rank) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "comparison";
      button.dataset.testid = "compare-result";
      button.dataset.method = result.method;
      button.dataset.score = comparisonScore(result).toFixed(6);
      button.title = `Load ${labelOf(result.method)} into the slider`;
      const canvas = document.createElement("canvas");
      canvas.width = result.heatmapWidth;
      canvas.height = result.heatmapHeight;
      void drawOverlay(canvas, result, preview);
      const caption = document.createElement("span");
      const sufficiency = result.sufficiency === undefined ? "never" : `${Math.round(result.sufficiency * 100)} %`;
      caption.textContent = `${rank + 1}. ${labelOf(result.method)} · ins ${result.insertionAuc.toFixed(2)} · del ${result.deletionAuc.toFixed(2)} · top-1 at ${sufficiency}`;
      button.append(canvas, caption);
      button.addEventListener("click", () => onChoose(result.method));
      return button;
    }),
  );
}

async function drawOverlay(canvas: HTMLCanvasElement, result: MethodResult, preview: ImageBitmap | undefined): Promise<void> {
  const context = canvas.getContext("2d");
  if (context === null) return;
  if (preview !== undefined) context.drawImage(preview, 0, 0, canvas.width, canvas.height);
  const heatmap = await createImageBitmap(new Blob([result.heatmapPng.slice()], { type: "image/png" }));
  context.globalAlpha = 0.7;
  context.drawImage(heatmap, 0, 0, canvas.width, canvas.height);
}
