import { UserError } from "../errors/user-error.ts";
import { rememberValue } from "../scenario/remembered-values.ts";
import type { Backend } from "./backend.ts";

/**
 * Remembers the name of a ready pod of the backend as `name`: the first by name, so the same pods give the same choice
 * and a report can be followed. A backend with no ready pod has nothing to remember: the feature waits for it first.
 */
export async function rememberReadyPod(backend: Backend, name: string): Promise<string> {
  const [pod] = (await backend.readyPodNames()).sort();
  if (!pod) {
    throw new UserError(
      `${backend.scenario.source}: the backend "${backend.name}" has no ready pod to remember as "${name}"`,
      `wait for its pods first, e.g. Then within 30 seconds the Service "${backend.name}" has 2 ready endpoints.`,
    );
  }
  rememberValue(backend.scenario, name, pod, `a ready pod of ${backend.name}`);
  return pod;
}
