import "./styles.css";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { createGatewayClient, gatewayUrl } from "./gateway";
import { describeError } from "./errors";
import { compareMethods } from "./compareMethods";
import { fetchExamples, renderExamples } from "./examples";
import { checkImage } from "./imageFile";
import { listenForImages } from "./imageInput";
import { explainAndFollow, JobFailedError, type JobChange, type JobProgress } from "./jobStream";
import { trapezoidAuc, type CurvePoint } from "./curve";
import { encodeSliderGif } from "./gifExport";
import { renderComparison } from "./views/comparisonGrid";
import { CurvePlot } from "./views/curvePlot";
import { renderHowItWorks } from "./views/howItWorks";
import { formatProbability, renderPredictionBars } from "./views/predictionBars";
import { required, Stage } from "./views/stage";
import { BASELINES, CAM_METHODS, frameCountOf, unhandled } from "./contractChoices";
import {
  Baseline,
  CamMethod,
  JobState,
  ProgressStage,
  type ExplainRequestSchema,
  type Frame,
} from "./gen/saliency/v1/saliency_pb";

const byId = <T extends HTMLElement>(id: string): T => required(document.getElementById(id) as T | null, `#${id}`);

const ui = {
  dropzone: byId<HTMLElement>("dropzone"),
  fileInput: byId<HTMLInputElement>("file-input"),
  fileName: byId<HTMLElement>("file-name"),
  examples: byId<HTMLElement>("examples"),
  form: byId<HTMLFormElement>("options"),
  model: byId<HTMLSelectElement>("model"),
  modelDescription: byId<HTMLElement>("model-description"),
  method: byId<HTMLSelectElement>("method"),
  target: byId<HTMLSelectElement>("target"),
  frameCount: byId<HTMLInputElement>("frame-count"),
  baseline: byId<HTMLSelectElement>("baseline"),
  deletion: byId<HTMLInputElement>("deletion"),
  explain: byId<HTMLButtonElement>("explain"),
  compare: byId<HTMLButtonElement>("compare"),
  comparePanel: byId<HTMLElement>("compare-panel"),
  compareStatus: byId<HTMLElement>("compare-status"),
  compareGrid: byId<HTMLElement>("compare-grid"),
  error: byId<HTMLElement>("error"),
  status: byId<HTMLElement>("status"),
  counter: byId<HTMLElement>("frame-counter"),
  progress: byId<HTMLProgressElement>("progress"),
  slider: byId<HTMLInputElement>("slider"),
  sliderValue: byId<HTMLOutputElement>("slider-value"),
  ticks: byId<HTMLElement>("ticks"),
  overlayToggle: byId<HTMLInputElement>("overlay-toggle"),
  overlayOpacity: byId<HTMLInputElement>("overlay-opacity"),
  gif: byId<HTMLButtonElement>("gif"),
  bars: byId<HTMLOListElement>("bars"),
  predictionPercent: byId<HTMLElement>("prediction-percent"),
  fullTop1: byId<HTMLElement>("full-top1"),
  curveTitle: byId<HTMLElement>("curve-title"),
  curveLegend: byId<HTMLElement>("curve-legend"),
  auc: byId<HTMLElement>("auc"),
  howBody: byId<HTMLElement>("how-body"),
};

const client = createGatewayClient();
const stage = new Stage(byId("stage"));
const curve = new CurvePlot(byId("curve"));

interface LoadedImage {
  readonly bytes: Uint8Array;
  readonly name: string;
  readonly preview: ImageBitmap;
}

/** One explanation run: its stream, and the frames decoded so far (kept in memory for the slider). */
interface Run {
  readonly abort: AbortController;
  readonly bitmaps: Map<number, ImageBitmap>;
  /** Frames whose decoding has started, so that each is decoded once. */
  readonly decoding: Set<number>;
  readonly withDeletion: boolean;
  progress: JobProgress | undefined;
  shownIndex: number | undefined;
}

let image: LoadedImage | undefined;
let run: Run | undefined;

function setRunState(state: "idle" | "running" | "done" | "failed"): void {
  document.body.dataset.runState = state;
}

function showError(message: string | undefined): void {
  ui.error.textContent = message ?? "";
  ui.error.hidden = message === undefined;
}

async function loadModels(): Promise<void> {
  try {
    const { models } = await client.listModels({});
    if (models.length === 0) return;
    ui.model.replaceChildren(
      ...models.map((model) => {
        const provider = model.executionProvider === "" ? "" : ` (${model.executionProvider})`;
        const option = new Option(`${model.name}${provider}`, model.name, false, model.isDefault);
        option.title = model.description;
        return option;
      }),
    );
    showModelDescription();
  } catch (error) {
    showError(`Could not list the models. ${describeError(error)}`);
  }
}

/** The chosen model's one-line description (from ListModels) under the picker. */
function showModelDescription(): void {
  const description = ui.model.selectedOptions[0]?.title ?? "";
  ui.modelDescription.textContent = description;
  ui.modelDescription.title = description;
  ui.modelDescription.hidden = description === "";
}

/** Another model has other classes: the class choice goes back to its top prediction, and a loaded image is explained again. */
function onModelChange(): void {
  showModelDescription();
  ui.target.replaceChildren(new Option("Top prediction", ""));
  startRun();
}

async function acceptFile(file: File): Promise<void> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const check = checkImage(bytes);
  if (!check.ok) {
    showError(check.message);
    return;
  }
  let preview: ImageBitmap;
  try {
    preview = await createImageBitmap(new Blob([bytes], { type: check.mimeType }));
  } catch {
    showError("That image could not be read; it may be damaged.");
    return;
  }
  showError(undefined);
  image = { bytes, name: file.name || "pasted image", preview };
  ui.fileName.textContent = image.name;
  ui.target.replaceChildren(new Option("Top prediction", ""));
  ui.explain.disabled = false;
  ui.compare.disabled = false;
  ui.comparePanel.hidden = true;
  comparison?.abort();
  startRun();
  // On a narrow screen the picture is below the form: bring it into view.
  if (window.matchMedia("(max-width: 720px)").matches) byId("stage").scrollIntoView({ block: "start" });
}

/** The form's request for the loaded image; with `compare`, a comparison of every method instead. */
function buildRequest(current: LoadedImage, compare = false): MessageInitShape<typeof ExplainRequestSchema> {
  return {
    image: current.bytes,
    model: ui.model.value,
    options: {
      method: Number(ui.method.value) as CamMethod,
      targetClass: ui.target.value === "" ? undefined : Number(ui.target.value),
      frameCount: frameCountOf(ui.frameCount),
      baseline: Number(ui.baseline.value) as Baseline,
      deletionCurve: ui.deletion.checked,
      compareMethods: compare,
    },
  };
}

let comparison: AbortController | undefined;

const labelOf = (method: string): string => CAM_METHODS.find(({ name }) => name === method)?.label ?? method;

/** Every method on the loaded image, ranked as their results arrive; choosing one explains the image with it. */
function startComparison(): void {
  if (image === undefined) return;
  const current = image;
  comparison?.abort();
  const abort = new AbortController();
  comparison = abort;
  ui.comparePanel.hidden = false;
  ui.compareGrid.replaceChildren();
  ui.compareStatus.textContent = "Comparing every method…";
  const choose = (method: string): void => {
    const entry = CAM_METHODS.find(({ name }) => name === method);
    if (entry === undefined) return;
    ui.method.value = String(entry.value);
    startRun();
  };
  compareMethods(
    client,
    buildRequest(current, true),
    (results) => {
      if (comparison !== abort) return;
      ui.compareStatus.textContent = `Comparing every method… ${results.length} done`;
      renderComparison(ui.compareGrid, results, current.preview, labelOf, choose);
    },
    abort.signal,
  ).then(
    (results) => {
      if (comparison !== abort) return;
      ui.compareStatus.textContent = `${results.length} methods, best first by insertion − deletion AUC; click one to load it into the slider.`;
      ui.comparePanel.dataset.state = "done";
    },
    (error: unknown) => {
      if (comparison !== abort || abort.signal.aborted) return;
      ui.compareStatus.textContent = error instanceof JobFailedError ? `The comparison failed: ${error.message}` : describeError(error);
    },
  );
}

function startRun(): void {
  if (image === undefined) return;
  run?.abort.abort();
  const current: Run = {
    abort: new AbortController(),
    bitmaps: new Map(),
    decoding: new Set(),
    withDeletion: ui.deletion.checked,
    progress: undefined,
    shownIndex: undefined,
  };
  run = current;
  resetResults();
  stage.show(image.preview, undefined);
  setStatus("Sending the image…");
  setRunState("running");
  ui.explain.textContent = "Explain again";

  explainAndFollow(client, buildRequest(image), {
    signal: current.abort.signal,
    onChange: (progress, change) => {
      if (run === current) onJobChange(current, progress, change);
    },
  }).then(
    () => {
      if (run === current) setRunState("done");
    },
    (error: unknown) => {
      if (run !== current || current.abort.signal.aborted) return;
      setRunState("failed");
      const message = error instanceof JobFailedError ? `The explanation failed: ${error.message}` : describeError(error);
      showError(message);
      setStatus("Stopped.");
    },
  );
}

function resetResults(): void {
  showError(undefined);
  stage.clear();
  curve.clear();
  renderPredictionBars(ui.bars, undefined);
  ui.fullTop1.textContent = "–";
  ui.predictionPercent.textContent = "";
  ui.auc.textContent = "AUC –";
  ui.slider.disabled = true;
  ui.slider.value = "0";
  ui.sliderValue.textContent = "0 %";
  ui.gif.disabled = true;
  ui.ticks.replaceChildren();
  ui.curveLegend.hidden = true;
  setCounter(0, 0);
}

function onJobChange(current: Run, progress: JobProgress, change: JobChange): void {
  current.progress = progress;
  switch (change) {
    case "status":
      setStatus(describeStatus(progress));
      break;
    case "progress":
      setStatus(describeProgress(progress));
      break;
    case "explanation":
      onExplanation(current, progress);
      break;
    case "frame":
      onFrame(current, progress);
      break;
    case "completed":
      onCompleted(current, progress);
      break;
  }
}

function describeProgress(progress: JobProgress): string {
  const stage = progress.stage;
  if (stage === undefined) return describeStatus(progress);
  const steps = `${stage.done}/${stage.total}`;
  switch (stage.stage) {
    case ProgressStage.SCORING_CHANNELS:
      return `Scoring channels ${steps} (Score-CAM)…`;
    case ProgressStage.UNSPECIFIED:
      return `Working ${steps}…`;
    default:
      return unhandled(stage.stage, `Working ${steps}…`);
  }
}

function describeStatus(progress: JobProgress): string {
  switch (progress.state) {
    case JobState.QUEUED:
      return progress.queuePosition === 0n
        ? "Queued: next in line."
        : `Queued: ${progress.queuePosition} job${progress.queuePosition === 1n ? "" : "s"} ahead.`;
    case JobState.RUNNING:
      return progress.attempt > 1 ? `Explaining (attempt ${progress.attempt})…` : "Explaining…";
    case JobState.FAILED:
      return "Failed.";
    case JobState.UNSPECIFIED:
    case JobState.DONE:
      return "Working…";
    default:
      return unhandled(progress.state, "Working…");
  }
}

function onExplanation(current: Run, progress: JobProgress): void {
  const explanation = progress.explanation;
  const frames = progress.frames;
  if (explanation === undefined || frames === undefined) return;
  const prediction = explanation.prediction;
  const top1 = prediction?.top[0];
  ui.fullTop1.textContent = top1 === undefined ? "–" : `${top1.label} (${formatProbability(top1.probability)})`;
  ui.fullTop1.dataset.label = top1?.label ?? "";
  ui.curveTitle.textContent = `Insertion curve: p(${prediction?.targetLabel ?? "target"})`;
  fillTargetChoices(progress);
  setStatus(`Rendering frames (${explanation.method})…`);
  setCounter(frames.arrived, frames.total);
  ui.ticks.replaceChildren(...Array.from({ length: frames.total }, () => document.createElement("span")));
  const heatmapUrl = explanation.heatmapPng.length > 0 ? URL.createObjectURL(new Blob([explanation.heatmapPng.slice()], { type: "image/png" })) : undefined;
  const heatmapImage = heatmapUrl === undefined ? undefined : Object.assign(new Image(), { src: heatmapUrl, alt: "heatmap", className: "map" });
  renderHowItWorks(ui.howBody, explanation, heatmapImage);
  if (explanation.heatmapPng.length > 0) {
    void createImageBitmap(new Blob([explanation.heatmapPng.slice()], { type: "image/png" })).then((heatmap) => {
      if (run !== current) return;
      stage.setHeatmap(heatmap);
      renderSlider(current);
    });
  }
}

function fillTargetChoices(progress: JobProgress): void {
  const prediction = progress.explanation?.prediction;
  if (prediction === undefined) return;
  const chosen = ui.target.value;
  const options = [new Option("Top prediction", "")];
  for (const score of prediction.top) {
    options.push(new Option(`${score.label} (${formatProbability(score.probability)})`, String(score.index)));
  }
  ui.target.replaceChildren(...options);
  ui.target.value = options.some((o) => o.value === chosen) ? chosen : "";
}

function onFrame(current: Run, progress: JobProgress): void {
  const frames = progress.frames;
  if (frames === undefined) return;
  setCounter(frames.arrived, frames.total);
  for (const frame of frames.inIndexOrder()) {
    if (current.decoding.has(frame.index)) continue;
    current.decoding.add(frame.index);
    decodeFrame(current, frame);
  }
  updateCurve(current);
  if (frames.isUsable) ui.slider.disabled = false;
}

function decodeFrame(current: Run, frame: Frame): void {
  createImageBitmap(new Blob([frame.image.slice()], { type: frame.mimeType || "image/jpeg" })).then(
    (bitmap) => {
      current.bitmaps.set(frame.index, bitmap);
      if (run !== current) return;
      markTicks(current);
      renderSlider(current);
    },
    () => {
      if (run === current) showError(`Frame ${frame.index} could not be decoded.`);
    },
  );
}

function onCompleted(current: Run, progress: JobProgress): void {
  const completed = progress.completed;
  if (completed === undefined) return;
  const seconds = (completed.timings?.totalMs ?? 0) / 1000;
  setStatus(seconds > 0 ? `Done in ${seconds.toFixed(1)} s.` : "Done.");
  const deletion = current.withDeletion ? ` · deletion AUC ${completed.deletionAuc.toFixed(3)}` : "";
  ui.auc.textContent = `Insertion AUC ${completed.insertionAuc.toFixed(3)}${deletion}`;
  ui.auc.dataset.final = "true";
  ui.gif.disabled = false;
  updateCurve(current);
}

function updateCurve(current: Run): void {
  const frames = current.progress?.frames;
  if (frames === undefined) return;
  const held = frames.inIndexOrder();
  const insertion: CurvePoint[] = held.map((f) => ({ percent: f.percent, probability: f.targetProbability }));
  const deletion = current.withDeletion
    ? held.map((f) => ({ percent: f.percent, probability: f.deletionProbability }))
    : undefined;
  curve.update(insertion, deletion);
  ui.curveLegend.hidden = deletion === undefined;
  if (current.progress?.completed === undefined && insertion.length >= 2) {
    ui.auc.textContent = `AUC so far ${trapezoidAuc(insertion).toFixed(3)}`;
    delete ui.auc.dataset.final;
  }
}

function markTicks(current: Run): void {
  const frames = current.progress?.frames;
  if (frames === undefined) return;
  Array.from(ui.ticks.children).forEach((tick, index) => {
    tick.classList.toggle("is-ready", current.bitmaps.has(index));
    tick.classList.toggle("is-shown", index === current.shownIndex);
  });
}

/** Shows the held frame nearest the slider; everything it needs is already in memory. */
function renderSlider(current: Run): void {
  const frames = current.progress?.frames;
  const frame = frames?.nearestAvailable(Number(ui.slider.value));
  const bitmap = frame === undefined ? undefined : current.bitmaps.get(frame.index);
  if (frame === undefined || bitmap === undefined) return;
  if (frame.index !== current.shownIndex) {
    current.shownIndex = frame.index;
    stage.show(bitmap, frame.index);
    renderPredictionBars(ui.bars, frame.prediction);
    markTicks(current);
  }
  const percentText = `${Math.round(frame.percent)} %`;
  ui.sliderValue.textContent = percentText;
  ui.predictionPercent.textContent = ` at ${percentText} revealed`;
  const top = frame.prediction?.top[0];
  ui.slider.setAttribute("aria-valuetext", top === undefined ? percentText : `${percentText} revealed: ${top.label}`);
  curve.mark({ percent: frame.percent, probability: frame.targetProbability });
  applyOverlay(frame.percent);
}

function applyOverlay(percent: number): void {
  stage.setOverlay(ui.overlayToggle.checked, Number(ui.overlayOpacity.value) / 100, percent);
}

function snapSliderTo(frame: Frame | undefined): void {
  if (frame === undefined || run === undefined) return;
  ui.slider.value = String(frame.percent);
  renderSlider(run);
}

function onSliderKey(event: KeyboardEvent): void {
  const frames = run?.progress?.frames;
  if (run === undefined || frames === undefined) return;
  const from = run.shownIndex ?? frames.nearestAvailable(Number(ui.slider.value))?.index ?? 0;
  const value = Number(ui.slider.value);
  const target = ((): Frame | undefined => {
    switch (event.key) {
      case "ArrowRight":
      case "ArrowUp":
        return frames.step(from, 1);
      case "ArrowLeft":
      case "ArrowDown":
        return frames.step(from, -1);
      case "PageUp":
        return frames.nearestAvailable(value + 10);
      case "PageDown":
        return frames.nearestAvailable(value - 10);
      case "Home":
        return frames.first();
      case "End":
        return frames.last();
      default:
        return undefined;
    }
  })();
  if (target === undefined) return;
  event.preventDefault();
  snapSliderTo(target);
}

function setStatus(text: string): void {
  ui.status.textContent = text;
}

function setCounter(arrived: number, total: number): void {
  ui.counter.textContent = `frames ${arrived} / ${total}`;
  ui.counter.dataset.arrived = String(arrived);
  ui.counter.dataset.total = String(total);
  ui.progress.max = Math.max(1, total);
  ui.progress.value = arrived;
}

function downloadGif(): void {
  const current = run;
  const frames = current?.progress?.frames;
  if (current === undefined || frames === undefined) return;
  const bitmaps = frames.inIndexOrder().flatMap((f) => {
    const bitmap = current.bitmaps.get(f.index);
    return bitmap === undefined ? [] : [bitmap];
  });
  if (bitmaps.length === 0) return;
  const url = URL.createObjectURL(encodeSliderGif(bitmaps));
  const link = document.createElement("a");
  link.href = url;
  link.download = `${(image?.name ?? "image").replace(/\.[^.]+$/, "")}-saliency.gif`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function init(): void {
  ui.method.replaceChildren(...CAM_METHODS.map(({ value, label }) => new Option(label, String(value))));
  ui.baseline.replaceChildren(...BASELINES.map(({ value, label }) => new Option(label, String(value))));
  ui.compare.addEventListener("click", startComparison);
  listenForImages(ui.dropzone, ui.fileInput, (file) => void acceptFile(file));
  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    startRun();
  });
  ui.model.addEventListener("change", onModelChange);
  ui.target.addEventListener("change", () => startRun());
  ui.slider.addEventListener("input", () => run !== undefined && renderSlider(run));
  ui.slider.addEventListener("change", () => {
    const frames = run?.progress?.frames;
    snapSliderTo(frames?.nearestAvailable(Number(ui.slider.value)));
  });
  ui.slider.addEventListener("keydown", onSliderKey);
  const overlayChanged = (): void => {
    // The overlay belongs over a frame, not over the upload shown while the job waits.
    const frame = run?.shownIndex === undefined ? undefined : run.progress?.frames?.at(run.shownIndex);
    if (frame !== undefined) applyOverlay(frame.percent);
  };
  ui.overlayToggle.addEventListener("change", overlayChanged);
  ui.overlayOpacity.addEventListener("input", overlayChanged);
  ui.gif.addEventListener("click", downloadGif);
  setRunState("idle");
  void loadModels();
  void fetchExamples(gatewayUrl()).then((photos) => renderExamples(ui.examples, gatewayUrl(), photos, (file) => void acceptFile(file)));
}

init();
