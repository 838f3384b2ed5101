import type { Backend } from "../services/backend.ts";
import type { TrafficResult } from "./client.ts";
import { expectEvenSplit, expectEveryPodAnswered, expectOnlyPods } from "./expectations.ts";

// The checks of traffic against a backend's ready pods, read when the check runs (the pure checks they call take the
// pod names, so they are unit-tested without a cluster).

/** Each ready pod of `backend` answered at least `minimum` of the requests. */
export async function expectEveryReadyPodAnswered(
  traffic: TrafficResult,
  backend: Backend,
  minimum: number,
): Promise<void> {
  expectEveryPodAnswered(traffic, await backend.readyPodNames(), minimum, backend.name);
}

/** No ready pod's share of the requests is more than `tolerance` % away from an even split. */
export async function expectEvenSplitOverReadyPods(
  traffic: TrafficResult,
  backend: Backend,
  tolerance: number,
): Promise<void> {
  expectEvenSplit(traffic, await backend.readyPodNames(), tolerance, backend.name);
}

/** Only ready pods of `backend` answered. */
export async function expectOnlyReadyPodsAnswered(traffic: TrafficResult, backend: Backend): Promise<void> {
  expectOnlyPods(traffic, await backend.readyPodNames(), backend.name);
}
