import type { V1Service } from "@kubernetes/client-node";
import { UserError } from "../errors/user-error.ts";
import { waitForReadyPods } from "../kube/pods.ts";
import { latencyProxyWorkload, managedByLabel } from "../kube/workloads.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { urlHost } from "../services/families.ts";
import { eventually } from "../wait/eventually.ts";
import { defineFault } from "./declaration.ts";

/**
 * Added latency without netem: Toxiproxy (embedded in the demo image) goes into the Service's path. A second Service,
 * `<name>-direct`, selects the original backends; latency-proxy pods forward to it, adding the latency to every
 * answer; and the Service is switched to select the proxy pods. The undo switches its selector back. The backends
 * then see the proxies' addresses as the client's (so ClientIP affinity and source-IP checks do not apply meanwhile).
 * The plan checks the arguments and the Service first, then sets up the proxies beside it (objects of the namespace
 * that change nothing yet); the fault is the selector switch alone, so the timeline stamps the moment traffic moves.
 */
export const latencyAdded = defineFault({
  phrase: "{int} ms of latency are added to the Service {string}",
  doc: [
    "Adds latency to every answer of a Service: Toxiproxy pods (from the demo image) go between the Service and its",
    "backends (these kernels have no netem). The client address the backends see becomes the proxies' meanwhile.",
  ].join("\n"),
  scope: "namespace",
  plan: async (context, latencyMs: number, serviceName: string) => {
    if (!(Number.isInteger(latencyMs) && latencyMs >= 1 && latencyMs <= 60_000)) {
      throw new UserError(
        `cannot add ${latencyMs} ms of latency`,
        "give a whole number of milliseconds from 1 to 60000.",
      );
    }
    return planToxiproxyInPath(context, serviceName, {
      label: `${latencyMs} ms of latency added to the Service ${serviceName}`,
      suffix: "latency",
      latencyMs,
    });
  },
});

/** What the Toxiproxy pods in a Service's path do: added latency, other toxics, or both. */
export interface ToxiproxyInPath {
  /** For the timeline and the report. */
  readonly label: string;
  /** Names the proxies' Deployment, `<service>-<suffix>`. */
  readonly suffix: string;
  readonly latencyMs?: number;
  /** Toxiproxy toxics as Toxiproxy takes them ({ type, stream, toxicity, attributes }); needs a demo image with TOXICS. */
  readonly toxics?: readonly object[];
}

/**
 * Toxiproxy pods put in a Service's path, as a fault's steps: the Service and its port are checked, `<service>-direct`
 * and the proxies are made beside it (nothing changes for its clients yet); `apply` switches the Service to them, `proof` waits until
 * its endpoints are the proxies, `undo` switches its selector back and `whole` waits until its backends are its
 * endpoints again. Added latency ({@link latencyAdded}) and the declared Toxiproxy faults (http-faults.ts) use it.
 */
export async function planToxiproxyInPath(
  context: ScenarioContext,
  serviceName: string,
  proxy: ToxiproxyInPath,
): Promise<{
  label: string;
  apply(): Promise<void>;
  proof(): Promise<void>;
  undo(): Promise<void>;
  whole(): Promise<void>;
}> {
  const service = await context.kube.core.readNamespacedService({ name: serviceName, namespace: context.name });
  const selector = service.spec?.selector;
  const port = service.spec?.ports?.[0];
  const targetPort = typeof port?.targetPort === "number" ? port.targetPort : Number(port?.targetPort ?? port?.port);
  if (!selector || !port || !Number.isInteger(targetPort) || service.spec?.clusterIP === "None") {
    throw new UserError(
      `cannot put Toxiproxy (${proxy.label}) in the path of the Service "${serviceName}": it needs a selector, a ClusterIP and a numeric targetPort`,
      "use a ClusterIP Service that selects its pods by label, with targetPort given as a number.",
    );
  }
  const proxyLabels = { "kubequake.dev/latency-for": serviceName };
  const setSelector = async (value: Record<string, string>) => {
    await context.kube.core.patchNamespacedService({
      name: serviceName,
      namespace: context.name,
      body: [{ op: "replace", path: "/spec/selector", value }],
    });
  };
  // The proxies are set up beside the Service first (objects of the namespace that change nothing yet); the fault is
  // the selector switch alone, so the timeline stamps the moment traffic moves.
  const direct = await context.namespace.apply<V1Service>({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: `${serviceName}-direct`, labels: managedByLabel },
    spec: { selector, ports: [{ port: port.port, targetPort, protocol: "TCP" }] },
  });
  await context.namespace.apply(
    latencyProxyWorkload({
      name: `${serviceName}-${proxy.suffix}`,
      image: context.image,
      labels: proxyLabels,
      upstream: `${urlHost(direct.spec?.clusterIP ?? "")}:${port.port}`,
      latencyMs: proxy.latencyMs ?? 0,
      toxics: proxy.toxics,
      port: targetPort,
      replicas: 2,
    }),
  );
  const proxies = (await waitForReadyPods(context.kube, context.name, proxyLabels, 2, 120_000)).map((p) => p.name);
  return {
    label: proxy.label,
    apply: () => setSelector(proxyLabels),
    proof: () => waitForEndpointsOf(context, serviceName, proxies),
    undo: () => setSelector(selector),
    whole: () =>
      eventually(
        `the Service ${serviceName} selects its backends again`,
        async () => {
          const pods = await endpointPods(context, serviceName);
          return {
            satisfied: pods.length > 0 && pods.every((p) => !proxies.includes(p)),
            value: pods,
          };
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      ).then(() => undefined),
  };
}

async function endpointPods(context: ScenarioContext, service: string): Promise<string[]> {
  const slices = await context.kube.discovery.listNamespacedEndpointSlice({
    namespace: context.name,
    labelSelector: `kubernetes.io/service-name=${service}`,
  });
  return slices.items
    .flatMap((s) =>
      (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).map((e) => e.targetRef?.name ?? ""),
    )
    .sort();
}

async function waitForEndpointsOf(context: ScenarioContext, service: string, pods: readonly string[]): Promise<void> {
  await eventually(
    `the Service ${service} sends its traffic through the Toxiproxy pods (${pods.join(", ")})`,
    async () => {
      const ready = await endpointPods(context, service);
      return { satisfied: ready.join() === [...pods].sort().join(), value: ready };
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
}
