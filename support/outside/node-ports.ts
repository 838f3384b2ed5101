import { stringify } from "yaml";
import { applyManifest, expectManifestRejected } from "../objects/apply.ts";
import { deleteObject } from "../objects/change.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import type { Service } from "../services/service.ts";

/** The NodePort and selector of a Service of the scenario. */
async function nodePortOf(scenario: ScenarioContext, service: string) {
  const found = await scenario.kube.core.readNamespacedService({ name: service, namespace: scenario.name });
  const nodePort = found.spec?.ports?.[0]?.nodePort;
  if (!nodePort) throw new Error(`the Service "${service}" has no NodePort (type ${found.spec?.type})`);
  return { nodePort, selector: found.spec?.selector ?? {} };
}

function nodePortService(name: string, nodePort: number, selector: Record<string, string>): string {
  return stringify({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name },
    spec: { type: "NodePort", selector, ports: [{ name: "http", port: 80, targetPort: 8080, nodePort }] },
  });
}

/**
 * Asks for a second NodePort Service on the NodePort another Service holds: the API server must refuse it, with a
 * message containing `expected` (its own words, e.g. "provided port is already allocated").
 */
export async function expectNodePortCollisionRejected(
  scenario: ScenarioContext,
  options: { name: string; holder: Service; expected: string },
): Promise<void> {
  const { nodePort, selector } = await nodePortOf(scenario, options.holder.name);
  const manifest = nodePortService(options.name, nodePort, selector);
  await expectManifestRejected(
    scenario,
    manifest,
    `a Service on the NodePort ${nodePort} of ${options.holder.name}`,
    options.expected,
  );
}

/**
 * Deletes `holder` and creates a NodePort Service `name` (same selector) on the NodePort it held: the allocator has
 * released it. Returns once the new Service is in service. The NodePort is noted in the transcript.
 */
export async function reuseReleasedNodePort(
  scenario: ScenarioContext,
  options: { holder: Service; name: string },
): Promise<number> {
  const { nodePort, selector } = await nodePortOf(scenario, options.holder.name);
  await deleteObject(scenario, { kind: "Service", name: options.holder.name });
  await applyManifest(scenario, nodePortService(options.name, nodePort, selector), `NodePort ${nodePort} reused`, {
    waitForServices: true,
  });
  scenario.note(`NodePort ${nodePort} of deleted ${options.holder.name} reused by ${options.name}`);
  return nodePort;
}
