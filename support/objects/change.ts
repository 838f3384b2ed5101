import type { KubernetesObject, V1Service } from "@kubernetes/client-node";
import { parse } from "yaml";
import { serviceFqdn } from "../dns/lookup.ts";
import { watchedServices } from "../endpoints/watcher.ts";
import { UserError } from "../errors/user-error.ts";
import { ApiRejection } from "../kube/namespace.ts";
import { nodeNamesOnThisCluster } from "../nodes/names.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { waitUntilInService } from "../services/in-service.ts";
import { recordDeletedService } from "../traffic/addresses.ts";
import { eventually } from "../wait/eventually.ts";
import { readObject } from "./fields.ts";
import { describeRef, objectRef } from "./kinds.ts";
import { heldNodePorts, waitUntilNodePortsFree } from "./node-port-release.ts";
import { sendPatch } from "./patch-request.ts";

/**
 * Changes an object of the scenario's namespace by a YAML patch (a strategic merge patch, as `kubectl patch` does by
 * default: maps merge, lists of named items such as ports and containers merge by name). A Service is then waited
 * for until it is in service. `source` ("file:line") names the docstring in errors.
 */
export async function patchObject(
  scenario: ScenarioContext,
  target: { kind: string; name: string },
  yamlText: string,
  source: string,
): Promise<void> {
  let patch: unknown;
  try {
    // A kind node name (nodeName, a hostname selector) means that node of the run's own cluster.
    patch = parse(nodeNamesOnThisCluster(yamlText));
  } catch (error) {
    throw new UserError(
      `${source}: the patch is not valid YAML: ${(error as Error).message.split("\n")[0]}`,
      "fix the YAML.",
    );
  }
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) {
    throw new UserError(
      `${source}: a patch is a YAML mapping of the fields to change (e.g. "spec:\\n  type: NodePort"), saw ${JSON.stringify(patch)}`,
      "write the fields to change, as they appear in the object.",
    );
  }
  // The patch's own metadata (labels, annotations) is kept; only name and namespace come from the step.
  const ref = objectRef(target.kind, target.name, scenario.name);
  const fields = patch as { metadata?: object };
  await patchAndWait(scenario, target, { ...fields, ...ref, metadata: { ...fields.metadata, ...ref.metadata } });
}

/**
 * Turns the Service `name` into an ExternalName for the fully qualified name of the scenario's Service `target`, as
 * Kubernetes' own e2e test does: only `type` and `externalName` change, so the API server itself must drop the
 * ClusterIP (and release any NodePorts) that an ExternalName Service cannot have.
 */
export async function pointAtService(scenario: ScenarioContext, name: string, target: string): Promise<void> {
  const found = await scenario.kube.core
    .readNamespacedService({ name: target, namespace: scenario.name })
    .catch(() => undefined);
  if (!found) {
    throw new UserError(
      `the Service "${name}" cannot become an ExternalName for the Service "${target}": there is no Service "${target}" in ${scenario.name}`,
      `create "${target}" first, or name one of the scenario's Services (${watchedServices(scenario).join(", ") || "none"}).`,
    );
  }
  const externalName = serviceFqdn(target, scenario.name);
  const ref = objectRef("Service", name, scenario.name);
  const patch = { ...ref, spec: { type: "ExternalName", externalName } };
  await patchAndWait(scenario, { kind: "Service", name }, patch as KubernetesObject);
  scenario.recordAction("scaled", `Service ${name} is now ExternalName ${externalName}`, [], name);
}

/** Points a Service at other pods: its selector becomes exactly `selector` (labels not named are removed). */
export async function setServiceSelector(
  scenario: ScenarioContext,
  service: string,
  selector: Record<string, string>,
): Promise<void> {
  // `$patch: replace` makes the strategic merge replace the map instead of merging the new labels into the old.
  const body = {
    ...objectRef("Service", service, scenario.name),
    spec: { selector: { $patch: "replace", ...selector } },
  };
  try {
    await sendPatch(scenario.kube, body, body, "strategic");
  } catch (error) {
    throw new ApiRejection(body, scenario.name, error);
  }
  scenario.recordAction("patched", `Service ${service} now selects ${JSON.stringify(selector)}`, [], service);
  await waitUntilInService(scenario, service);
}

/**
 * Deletes an object of the scenario's namespace and waits until it is gone (finalizers and all), and for a Service
 * until its NodePorts are free for another; 0 seconds: no wait.
 */
export async function deleteObject(
  scenario: ScenarioContext,
  target: { kind: string; name: string },
  seconds = 60,
): Promise<void> {
  const ref = objectRef(target.kind, target.name, scenario.name);
  // Only a Service is read first: for the NodePorts to wait for, and its ClusterIP, which steps may still probe.
  const before = ref.kind === "Service" ? await readObject(scenario.kube, ref) : undefined;
  recordDeletedService(scenario, before as V1Service | undefined);
  const nodePorts = seconds > 0 ? heldNodePorts(before) : [];
  try {
    await scenario.kube.objects.delete(ref, undefined, undefined, undefined, undefined, "Foreground");
  } catch (error) {
    throw new ApiRejection(ref, scenario.name, error);
  }
  scenario.recordAction("deleted", `deleted ${describeRef(ref)}`, [], target.name);
  if (seconds === 0) return;
  await eventually(
    `${describeRef(ref)} is gone`,
    async () => {
      const object = await readObject(scenario.kube, ref);
      return { satisfied: object === undefined, value: object ? "still there" : "gone" };
    },
    { timeoutMs: seconds * 1000, intervalMs: 200 },
  );
  await waitUntilNodePortsFree(scenario, target.name, nodePorts, seconds);
}

async function patchAndWait(
  scenario: ScenarioContext,
  target: { kind: string; name: string },
  body: KubernetesObject,
): Promise<void> {
  const ref = objectRef(target.kind, target.name, scenario.name);
  try {
    await sendPatch(scenario.kube, body, body, "strategic");
  } catch (error) {
    throw new ApiRejection(ref, scenario.name, error);
  }
  scenario.recordAction("patched", `patched ${describeRef(ref)}`, [], target.name);
  if (target.kind === "Service") await waitUntilInService(scenario, target.name);
}

/**
 * Patches an object with a change the API server must refuse, and checks that its message contains `expected`.
 */
export async function expectPatchRejected(
  scenario: ScenarioContext,
  target: { kind: string; name: string },
  yamlText: string,
  source: string,
  expected: string,
): Promise<void> {
  try {
    await patchObject(scenario, target, yamlText, source);
  } catch (error) {
    if (!(error instanceof ApiRejection)) throw error;
    if (error.apiMessage.includes(expected)) return;
    throw new Error(
      `expected the API server to refuse the patch of ${target.kind} "${target.name}" with a message containing "${expected}", but it said: ${error.apiMessage}`,
    );
  }
  throw new Error(
    `expected the API server to refuse the patch of ${target.kind} "${target.name}" (${source}), but it accepted it`,
  );
}
