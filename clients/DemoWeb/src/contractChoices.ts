import {
  Baseline,
  BaselineSchema,
  CamMethod,
  CamMethodSchema,
} from "./gen/saliency/v1/saliency_pb";

/** A contract enum's values but UNSPECIFIED (the server's default, which the page always spells out). */
type Known<T> = Exclude<T, 0>;

/**
 * Each method's label here and its name in results (Explanation.method, MethodResult.method). Keyed by the generated
 * enum, so a method added to the contract does not compile until it is named here.
 */
const METHOD_NAMES: Record<Known<CamMethod>, { label: string; name: string }> = {
  [CamMethod.GRAD_CAM]: { label: "Grad-CAM", name: "gradcam" },
  [CamMethod.GRAD_CAM_PLUS_PLUS]: { label: "Grad-CAM++", name: "gradcampp" },
  [CamMethod.HIRES_CAM]: { label: "HiResCAM", name: "hirescam" },
  [CamMethod.XGRAD_CAM]: { label: "XGrad-CAM", name: "xgradcam" },
  [CamMethod.LAYER_CAM]: { label: "LayerCAM", name: "layercam" },
  [CamMethod.EIGEN_CAM]: { label: "EigenCAM", name: "eigencam" },
  [CamMethod.SCORE_CAM]: { label: "Score-CAM", name: "scorecam" },
};

const BASELINE_LABELS: Record<Known<Baseline>, string> = {
  [Baseline.BLUR]: "Blurred",
  [Baseline.BLACK]: "Black",
  [Baseline.GRAY]: "Gray",
};

export interface MethodChoice {
  value: CamMethod;
  label: string;
  name: string;
}

export interface BaselineChoice {
  value: Baseline;
  label: string;
}

/** Every method the contract names, in its order (the first is the server's default). */
export const CAM_METHODS: readonly MethodChoice[] = CamMethodSchema.values
  .filter((v) => v.number !== CamMethod.UNSPECIFIED)
  .map((v) => ({ value: v.number, ...METHOD_NAMES[v.number as Known<CamMethod>] }));

/** Every baseline the contract names, in its order (the first is the server's default). */
export const BASELINES: readonly BaselineChoice[] = BaselineSchema.values
  .filter((v) => v.number !== Baseline.UNSPECIFIED)
  .map((v) => ({ value: v.number, label: BASELINE_LABELS[v.number as Known<Baseline>] }));

/**
 * The `default` of a switch over a contract enum: `value` must be `never` there, so the compiler proves every value
 * was handled; a value only a newer server knows gets `fallback` at run time.
 */
export function unhandled<T>(_value: never, fallback: T): T {
  return fallback;
}

/**
 * The frame count the page's input asks for, within the input's `min`..`max` (index.html holds the server's limits;
 * tests/Deploy.Tests/DocumentedLimitsTests keeps them equal to the engine's), or the input's default when it is no number.
 */
export function frameCountOf(input: Pick<HTMLInputElement, "value" | "min" | "max" | "defaultValue">): number {
  const frameCount = Math.round(Number(input.value));
  return Number.isFinite(frameCount)
    ? Math.min(Number(input.max), Math.max(Number(input.min), frameCount))
    : Number(input.defaultValue);
}
