import { request } from "undici";
import { addressRecordOf, dnsClient, expandName, resolveName, serviceFqdn } from "../dns/lookup.ts";
import { selectorString } from "../kube/pods.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { eventually } from "../wait/eventually.ts";
import { readObject } from "./fields.ts";
import { describeRef, objectPath, objectRef } from "./kinds.ts";

/**
 * Waits until a name, looked up by a pod of the scenario (the default client pod, or a named one whose dnsConfig is
 * under test), answers exactly the ClusterIP of a Service that may live in any namespace (read, never written):
 * "kubernetes.default" → the `kubernetes` Service in default.
 */
export async function expectResolvesToServiceOf(
  scenario: ScenarioContext,
  lookup: { name: string; pod?: string; service: string; namespace: string; seconds: number },
): Promise<void> {
  const ref = objectRef("Service", lookup.service, lookup.namespace);
  const service = (await readObject(scenario.kube, ref)) as { spec?: { clusterIP?: string } } | undefined;
  const clusterIP = service?.spec?.clusterIP;
  if (!clusterIP) throw new Error(`${describeRef(ref)} does not exist or has no ClusterIP`);
  const pod = lookup.pod ?? (await dnsClient(scenario).start()).name;
  await eventually(
    `${expandName(scenario, lookup.name)}, looked up from ${pod}, resolves to ${clusterIP} (the ClusterIP of ${describeRef(ref)})`,
    async () => {
      const result = await resolveName(scenario, lookup.name, addressRecordOf(clusterIP), pod);
      const answers = result?.answers ?? [];
      return {
        satisfied: Boolean(result?.ok) && answers.join() === clusterIP,
        value: result?.ok ? answers : result?.errorKind,
      };
    },
    { timeoutMs: lookup.seconds * 1000, intervalMs: 250 },
  );
}

/**
 * Lists a kind across every namespace (read only), with a label selector when labels are given (the API server
 * filters), and checks that the named object is among them.
 */
export async function expectListedInAllNamespaces(
  scenario: ScenarioContext,
  target: { kind: string; name: string; namespace: string; labels?: Record<string, string> },
): Promise<void> {
  const { apiVersion, kind } = objectRef(target.kind, target.name, target.namespace);
  const selector = target.labels ? selectorString(target.labels) : undefined;
  const list = await scenario.kube.objects.list(
    apiVersion!,
    kind!,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    selector,
  );
  const found = list.items.some((o) => o.metadata?.name === target.name && o.metadata?.namespace === target.namespace);
  if (!found) {
    const names = list.items.slice(0, 10).map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`);
    throw new Error(
      `listing ${kind}${selector ? ` labelled ${selector}` : ""} in all namespaces did not find ` +
        `${target.namespace}/${target.name}; ${list.items.length} found${names.length ? ` (${names.join(", ")})` : ""}. ` +
        "Check the object's labels and that it still exists.",
    );
  }
}

/** Deletes every object of a kind in the scenario's namespace that carries the labels (one deletecollection call). */
export async function deleteCollection(
  scenario: ScenarioContext,
  target: { kind: string; labels: Record<string, string> },
): Promise<void> {
  const path = objectPath(objectRef(target.kind, "x", scenario.name)).replace(/\/x$/, "");
  const query = new URLSearchParams({ labelSelector: selectorString(target.labels) });
  const response = await request(`${scenario.kube.server}${path}?${query}`, {
    method: "DELETE",
    dispatcher: scenario.kube.agent,
    headers: { ...scenario.kube.headers, accept: "application/json" },
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  const text = await response.body.text();
  if (response.statusCode >= 300) {
    throw new Error(
      `deleting ${target.kind} labelled ${selectorString(target.labels)} answered ${response.statusCode}: ${text.slice(0, 300)}`,
    );
  }
  scenario.note(`deleted every ${target.kind} labelled ${selectorString(target.labels)}`);
}

/**
 * Waits until a name, looked up from the scenario's DNS client, is an alias (CNAME) of `target` (an ExternalName
 * Service's externalName), or with `service` of that Service's fully qualified name in the scenario's namespace. The
 * trailing dot of the DNS answer is ignored.
 */
export async function expectCname(
  scenario: ScenarioContext,
  lookup: { name: string; seconds: number } & ({ target: string } | { service: string }),
): Promise<void> {
  const want =
    "service" in lookup
      ? serviceFqdn(lookup.service, scenario.name)
      : expandName(scenario, lookup.target).replace(/\.$/, "");
  await eventually(
    `${expandName(scenario, lookup.name)} is an alias (CNAME) of ${want}`,
    async () => {
      const result = await resolveName(scenario, lookup.name, "CNAME");
      const answers = (result?.answers ?? []).map((a) => a.replace(/\.$/, ""));
      return {
        satisfied: Boolean(result?.ok) && answers.includes(want),
        value: result?.ok ? answers : result?.errorKind,
      };
    },
    { timeoutMs: lookup.seconds * 1000, intervalMs: 250 },
  );
}

/**
 * Lists the objects of a kind carrying the labels (a label selector, filtered by the API server) in the scenario's
 * namespace and checks how many there are: a create, a delete and a deletecollection each show in the count. (Across
 * all namespaces a count would be unsafe on a shared cluster: another run may hold objects with the same labels.)
 */
export async function expectLabelledCount(
  scenario: ScenarioContext,
  target: { kind: string; labels: Record<string, string>; count: number },
): Promise<void> {
  const { kind, selector, list } = await listLabelled(scenario, target);
  if (list.items.length !== target.count) {
    const names = list.items.map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`).slice(0, 10);
    throw new Error(
      `expected ${target.count} ${kind} labelled ${selector} in namespace ${scenario.name}, found ${list.items.length}` +
        `${names.length ? ` (${names.join(", ")})` : ""}. Check the objects' labels and what deleted or created them.`,
    );
  }
}

/** The objects of a kind carrying the labels in the scenario's namespace (the label selector applied by the API server). */
export async function listLabelled(
  scenario: ScenarioContext,
  target: { kind: string; labels: Record<string, string> },
) {
  const { apiVersion, kind } = objectRef(target.kind, "x", scenario.name);
  const selector = selectorString(target.labels);
  const list = await scenario.kube.objects.list(
    apiVersion!,
    kind!,
    scenario.name,
    undefined,
    undefined,
    undefined,
    undefined,
    selector,
  );
  return { kind: kind!, selector, list };
}
