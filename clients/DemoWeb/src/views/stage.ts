/**
 * The picture: the current frame on one canvas and the heatmap on a canvas stacked above it.
 * Both draw from decoded bitmaps already in memory, so moving the slider never fetches anything.
 */
export class Stage {
  readonly #root: HTMLElement;
  readonly #frame: HTMLCanvasElement;
  readonly #heatmap: HTMLCanvasElement;
  readonly #empty: HTMLElement;
  #hasHeatmap = false;

  constructor(root: HTMLElement) {
    this.#root = root;
    this.#frame = required(root.querySelector<HTMLCanvasElement>("#frame-canvas"));
    this.#heatmap = required(root.querySelector<HTMLCanvasElement>("#heatmap-canvas"));
    this.#empty = required(root.querySelector<HTMLElement>("#stage-empty"));
  }

  /** Shows a picture (a frame, or the upload while it is processed); `index` is the frame shown. */
  show(picture: ImageBitmap, index: number | undefined): void {
    draw(this.#frame, picture, picture.width, picture.height);
    this.#root.style.setProperty("--ratio", `${picture.width} / ${picture.height}`);
    this.#root.dataset.shownIndex = index === undefined ? "" : String(index);
    this.#root.classList.add("has-picture");
    this.#empty.hidden = true;
  }

  /**
   * Draws the heatmap at its own size; its canvas is stretched over the stage, which has the
   * frames' shape, because the heatmap covers the same region as the frames.
   */
  setHeatmap(heatmap: ImageBitmap | undefined): void {
    this.#hasHeatmap = heatmap !== undefined;
    if (heatmap === undefined) {
      this.#heatmap.getContext("2d")?.clearRect(0, 0, this.#heatmap.width, this.#heatmap.height);
      this.#heatmap.style.opacity = "0";
      return;
    }
    draw(this.#heatmap, heatmap, heatmap.width, heatmap.height);
  }

  /** Overlay opacity: the chosen opacity, fading out as the slider nears 100 %. */
  setOverlay(enabled: boolean, opacity: number, percent: number): void {
    const value = enabled && this.#hasHeatmap ? opacity * (1 - Math.min(100, Math.max(0, percent)) / 100) : 0;
    this.#heatmap.style.opacity = value.toFixed(3);
    this.#root.dataset.overlayOpacity = value.toFixed(3);
  }

  clear(): void {
    this.setHeatmap(undefined);
    this.#frame.getContext("2d")?.clearRect(0, 0, this.#frame.width, this.#frame.height);
    this.#root.dataset.shownIndex = "";
    this.#root.classList.remove("has-picture");
    this.#root.style.removeProperty("--ratio");
    this.#empty.hidden = false;
  }
}

function draw(canvas: HTMLCanvasElement, picture: ImageBitmap, width: number, height: number): void {
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const context = required(canvas.getContext("2d"));
  context.clearRect(0, 0, width, height);
  context.drawImage(picture, 0, 0, width, height);
}

export function required<T>(value: T | null | undefined, what = "element"): T {
  if (value === null || value === undefined) throw new Error(`missing ${what}`);
  return value;
}
