import { UserError } from "../errors/user-error.ts";
import { postToPod } from "../kube/client.ts";
import type { Action, ScenarioContext } from "../scenario/context.ts";

/** Flips a demo pod's readiness through its admin endpoint (the pod keeps running). */
export async function setPodReadiness(context: ScenarioContext, pod: string, ready: boolean): Promise<void> {
  await postToPod(
    context.kube,
    { namespace: context.name, pod, port: 8080, path: `/admin/ready?value=${ready}` },
    {},
    10_000,
  );
}

/**
 * The scenario's newest "turned unready" action whose pods are still unready (no "turned ready again" since), for
 * steps about "the unready pods". `backend` narrows it to one backend. A clear error when there is none: a check of
 * "the unready pods" with no unready pods would otherwise pass without checking anything.
 */
export function unreadyAction(context: ScenarioContext, backend?: string): Action {
  const action = context.lastActionOf("unready", "ready");
  const of = backend ? ` of ${backend}` : "";
  const example = `When 1 pod of "${backend ?? "web"}" turns unready`;
  if (action?.kind !== "unready") {
    throw new UserError(
      `this step is about the unready pods${of}, but no pod${of} was made unready earlier in this scenario (${action ? `the last readiness change was: ${action.description}` : "no pod was made unready at all"})`,
      `make pods unready first, with a step like: ${example}.`,
    );
  }
  if (backend !== undefined && action.target !== backend) {
    throw new UserError(
      `this step is about the unready pods of ${backend}, but the pods made unready were of ${action.target ?? "another backend"} (${action.pods.join(", ")})`,
      `name the backend whose pods were made unready, or add a step like: ${example}.`,
    );
  }
  return action;
}

/** Makes the pods of the newest "turned unready" action ready again; returns them. */
export async function makePodsReadyAgain(context: ScenarioContext): Promise<readonly string[]> {
  const { pods, target } = unreadyAction(context);
  for (const pod of pods) await setPodReadiness(context, pod, true);
  context.recordAction("ready", `${pods.join(", ")} turned ready again`, pods, target);
  return pods;
}
