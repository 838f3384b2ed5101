import type { V1EphemeralContainer } from "@kubernetes/client-node";
import { getFromPod } from "../kube/client.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { eventually } from "../wait/eventually.ts";

/** The ephemeral container that reports a pod's hostname. */
const readerName = "hostname-reader";

/**
 * The reader's port: free in the pod (its own containers keep 8080) and, for a hostNetwork pod, on the node: hashed
 * from the namespace like the hostNetwork clients' port (clients/registry.ts) but 4,500 away from it, below the
 * NodePort range and above the ports the node's own components listen on (10250-10259).
 */
function readerPort(namespace: string): number {
  let hash = 0;
  for (const c of namespace) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return 20_000 + ((hash + 4_500) % 9_000);
}

/**
 * Reads the hostname a pod's processes see (the pod's UTS namespace: `hostname` in a shell), by adding an ephemeral
 * container to it. The demo image has no shell to exec `hostname` in, but its backend answers with `os.Hostname()`
 * when no POD_NAME is set (images/demo/identity.go), and an ephemeral container shares the pod's UTS and network
 * namespaces: the answer is the pod's hostname (the node's, for a hostNetwork pod). Works for any pod of the
 * scenario, whatever its image. An ephemeral container cannot be removed; it goes with the pod.
 */
export async function readOwnHostname(scenario: ScenarioContext, pod: string): Promise<string> {
  const current = await scenario.kube.core.readNamespacedPod({ name: pod, namespace: scenario.name });
  const existing = current.spec?.ephemeralContainers?.find((c) => c.name === readerName);
  const port = Number(existing?.env?.find((e) => e.name === "LISTEN")?.value?.slice(1) ?? readerPort(scenario.name));
  if (!existing) {
    const reader: V1EphemeralContainer = {
      name: readerName,
      image: scenario.image,
      imagePullPolicy: "IfNotPresent",
      args: ["backend"],
      env: [{ name: "LISTEN", value: `:${port}` }],
    };
    const ephemeralContainers = [...(current.spec?.ephemeralContainers ?? []), reader];
    await scenario.kube.core.replaceNamespacedPodEphemeralcontainers({
      name: pod,
      namespace: scenario.name,
      body: { ...current, spec: { ...current.spec!, ephemeralContainers } },
    });
    scenario.note(`added the ephemeral container ${readerName} (demo backend on port ${port}) to the pod ${pod}`);
  }
  const { value } = await eventually(
    `the ephemeral container ${readerName} of the pod ${pod} answers on port ${port} (it reports the pod's hostname)`,
    async () => {
      const answer = await getFromPod<{ pod?: string }>(
        scenario.kube,
        { namespace: scenario.name, pod, port, path: "/" },
        5_000,
      );
      return { satisfied: Boolean(answer.pod), value: answer.pod ?? "(no hostname in the answer)" };
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  scenario.note(`the pod ${pod} sees its hostname as ${value}`);
  return value;
}

/** Checks that a pod's processes see `expected` as their hostname ({@link readOwnHostname}). */
export async function expectOwnHostname(scenario: ScenarioContext, pod: string, expected: string): Promise<void> {
  const seen = await readOwnHostname(scenario, pod);
  if (seen !== expected) {
    const spec = (await scenario.kube.core.readNamespacedPod({ name: pod, namespace: scenario.name })).spec;
    throw new Error(
      `the pod ${pod} sees its hostname as "${seen}", expected "${expected}" ` +
        `(its spec: hostname ${spec?.hostname ?? "unset"}, hostNetwork ${spec?.hostNetwork ?? false}, node ${spec?.nodeName ?? "?"}); ` +
        "a pod's hostname is spec.hostname if set, else its name, and the node's hostname on hostNetwork",
    );
  }
}
