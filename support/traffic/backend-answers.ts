import type { Backend } from "../services/backend.ts";
import { expectEvenSplit, expectEveryPodAnswered, expectOnlyPods } from "./expectations.ts";
import { checkJudgedTraffic } from "./judged.ts";

// The checks of traffic against a backend's ready pods, read when the check runs. They judge the scenario's last
// traffic and its steady traffic so far (see judged.ts); the pure checks they call take the pod names, so they are
// unit-tested without a cluster.

/** Each ready pod of `backend` answered at least `minimum` of the requests. */
export async function expectEveryReadyPodAnswered(backend: Backend, minimum: number): Promise<void> {
  const pods = await backend.readyPodNames();
  await checkJudgedTraffic(backend.scenario, (t) => expectEveryPodAnswered(t.combined, pods, minimum, backend.name));
}

/** No ready pod's share of the requests is more than `tolerance` % away from an even split. */
export async function expectEvenSplitOverReadyPods(backend: Backend, tolerance: number): Promise<void> {
  const pods = await backend.readyPodNames();
  await checkJudgedTraffic(backend.scenario, (t) => expectEvenSplit(t.combined, pods, tolerance, backend.name));
}

/** Only ready pods of `backend` answered. */
export async function expectOnlyReadyPodsAnswered(backend: Backend): Promise<void> {
  const pods = await backend.readyPodNames();
  await checkJudgedTraffic(backend.scenario, (t) => expectOnlyPods(t.combined, pods, backend.name));
}
