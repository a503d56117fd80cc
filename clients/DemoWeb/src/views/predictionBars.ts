import type { Prediction } from "../gen/saliency/v1/saliency_pb";

/** Renders the top classes of a prediction as labelled probability bars. */
export function renderPredictionBars(list: HTMLOListElement, prediction: Prediction | undefined, count = 3): void {
  const items = (prediction?.top ?? []).slice(0, count).map((score, rank) => {
    const item = document.createElement("li");
    item.className = "bar";
    if (score.index === prediction?.targetClass) item.classList.add("is-target");
    item.dataset.rank = String(rank + 1);
    item.dataset.classIndex = String(score.index);

    const label = document.createElement("span");
    label.className = "bar-label";
    label.textContent = score.label;
    label.title = score.label;

    const value = document.createElement("span");
    value.className = "bar-value";
    value.textContent = formatProbability(score.probability);

    const track = document.createElement("span");
    track.className = "bar-track";
    const fill = document.createElement("span");
    fill.className = "bar-fill";
    fill.style.width = `${Math.max(0, Math.min(100, score.probability * 100)).toFixed(1)}%`;
    track.append(fill);

    item.append(label, value, track);
    return item;
  });
  list.replaceChildren(...items);
}

export function formatProbability(probability: number): string {
  const percent = probability * 100;
  return `${percent >= 10 ? percent.toFixed(0) : percent.toFixed(1)} %`;
}
