import type { Client } from "@connectrpc/connect";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { JobFailedError } from "./jobStream";
import { JobState, type ExplainRequestSchema, type MethodResult, type SaliencySliderService } from "./gen/saliency/v1/saliency_pb";

/** How a method ranks in a comparison: insertion AUC minus deletion AUC (what `saliency compare` ranks by). */
export function comparisonScore(result: MethodResult): number {
  return result.insertionAuc - result.deletionAuc;
}

/** Best first; ties by method name, so the order does not depend on arrival. */
export function rankResults(results: readonly MethodResult[]): MethodResult[] {
  return [...results].sort((a, b) => comparisonScore(b) - comparisonScore(a) || a.method.localeCompare(b.method));
}

/**
 * Follows a comparison of every method the workers have (a request with ExplainOptions.compare_methods), calling
 * `onResult` with all results so far as each method's arrives; resolves with them when the job completes.
 */
export async function compareMethods(
  client: Client<typeof SaliencySliderService>,
  request: MessageInitShape<typeof ExplainRequestSchema>,
  onResult: (results: MethodResult[]) => void,
  signal?: AbortSignal,
): Promise<MethodResult[]> {
  const results: MethodResult[] = [];
  for await (const response of client.explain(request, { signal })) {
    const event = response.event?.event;
    if (event?.case === "methodResult") {
      results.push(event.value);
      onResult(results);
    } else if (event?.case === "status" && event.value.state === JobState.FAILED) {
      throw new JobFailedError(event.value.message);
    } else if (event?.case === "completed") {
      return results;
    }
  }
  throw new Error("The comparison stopped before every method was done; try again.");
}
