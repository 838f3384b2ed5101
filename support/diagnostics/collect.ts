import type { Kube } from "../kube/client.ts";
import { flattenSlices } from "../kube/endpoints.ts";
import { describePod, summarizePod } from "../kube/pods.ts";

/** One named piece of evidence for a failed scenario's report. */
export interface Diagnostic {
  readonly name: string;
  readonly text: string;
}

/**
 * Gathers what explains a failure, before cleanup destroys it: Services, EndpointSlices, pods, events and the
 * last container log lines of every pod in the namespace. Collection errors become part of the evidence.
 */
export async function collectDiagnostics(kube: Kube, namespace: string): Promise<Diagnostic[]> {
  const sections: Diagnostic[] = [];
  const add = async (name: string, collect: () => Promise<string>) => {
    try {
      sections.push({ name, text: await collect() });
    } catch (error) {
      sections.push({ name, text: `could not collect: ${error instanceof Error ? error.message : String(error)}` });
    }
  };
  await add("Services", async () => {
    const services = await kube.core.listNamespacedService({ namespace });
    return (
      services.items
        .map((s) => {
          const spec = s.spec ?? {};
          const ports = (spec.ports ?? []).map(
            (p) => `${p.name ?? ""}:${p.port}→${p.targetPort}${p.nodePort ? ` node ${p.nodePort}` : ""}`,
          );
          return `${s.metadata?.name}: type ${spec.type}, clusterIP ${spec.clusterIP}, selector ${JSON.stringify(spec.selector ?? {})}, ports ${ports.join(" ")}, sessionAffinity ${spec.sessionAffinity}, publishNotReadyAddresses ${spec.publishNotReadyAddresses ?? false}`;
        })
        .join("\n") || "no Services"
    );
  });
  await add("EndpointSlices", async () => {
    const slices = await kube.discovery.listNamespacedEndpointSlice({ namespace });
    return (
      slices.items
        .map((slice) => {
          const endpoints = flattenSlices([slice]).map(
            (e) => `  ${e.ip} ${e.pod} ready=${e.ready} serving=${e.serving} terminating=${e.terminating}`,
          );
          return `${slice.metadata?.name} (service ${slice.metadata?.labels?.["kubernetes.io/service-name"]}), ports ${JSON.stringify(slice.ports ?? [])}\n${endpoints.join("\n") || "  no endpoints"}`;
        })
        .join("\n") || "no EndpointSlices"
    );
  });
  const pods = await kube.core.listNamespacedPod({ namespace }).catch(() => undefined);
  await add("Pods", async () => (pods?.items ?? []).map((p) => describePod(summarizePod(p))).join("\n") || "no pods");
  await add("Events", async () => {
    const events = await kube.core.listNamespacedEvent({ namespace });
    return (
      events.items
        .sort((a, b) =>
          String(a.lastTimestamp ?? a.eventTime ?? "").localeCompare(String(b.lastTimestamp ?? b.eventTime ?? "")),
        )
        .slice(-60)
        .map(
          (e) =>
            `${e.lastTimestamp ?? e.eventTime ?? ""} ${e.type} ${e.reason} ${e.involvedObject.kind}/${e.involvedObject.name}: ${e.message}`,
        )
        .join("\n") || "no events"
    );
  });
  for (const pod of (pods?.items ?? []).slice(0, 12)) {
    const name = pod.metadata?.name ?? "";
    await add(`Logs ${name}`, async () => {
      const log = await kube.core.readNamespacedPodLog({ name, namespace, tailLines: 50 });
      return log || "(empty)";
    });
  }
  return sections;
}

export function formatDiagnostics(sections: readonly Diagnostic[]): string {
  return sections.map((s) => `== ${s.name}\n${s.text}`).join("\n\n");
}
