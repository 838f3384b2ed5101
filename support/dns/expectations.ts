import { describeAfterAction, type ScenarioContext } from "../scenario/context.ts";
import type { Backend } from "../services/backend.ts";
import { describeClusterIPs, familyOf, parseFamily } from "../services/families.ts";
import { eventually } from "../wait/eventually.ts";
import { addressRecordOf, describeLookup, expandName, resolveName, serviceFqdn } from "./lookup.ts";

/**
 * Reports how long after the last action the DNS answer matched, from the start of the lookup that first showed it
 * (not the moment the poll returned); never clamped: a negative time says the answer came before the action's stamp.
 */
async function attachTiming(scenario: ScenarioContext, what: string, lookupStartedAtMs: number) {
  const action = scenario.lastAction;
  const line = action
    ? `${what} ${describeAfterAction(lookupStartedAtMs - action.atUnixMs, action.description)}`
    : what;
  scenario.note(line);
  await scenario.attachText("dns.txt", line);
}

/** Waits until the A records of `name` equal the IPs of `count` (ready, or all) pods of `backend`. */
export async function expectResolvesToPods(
  scenario: ScenarioContext,
  options: { name: string; backend: Backend; count: number; includeUnready: boolean; seconds: number },
): Promise<void> {
  const context = scenario;
  const which = options.includeUnready ? "all" : "ready";
  let startedAt = Date.now();
  await eventually<unknown>(
    `${expandName(context, options.name)} resolves to the IPs of the ${options.count} ${which} pods of ${options.backend.name}`,
    async () => {
      const pods = (await options.backend.pods()).filter(
        (p) => p.ip && !p.terminating && (options.includeUnready || p.ready),
      );
      const expected = pods.map((p) => p.ip).sort();
      const lookup = await resolveName(context, options.name, addressRecordOf(expected[0]));
      startedAt = lookup.startUnixMs;
      const answers = [...(lookup.answers ?? [])].sort();
      const satisfied = pods.length === options.count && lookup.ok && answers.join() === expected.join();
      return {
        satisfied,
        value: { resolved: describeLookup(lookup), [`${which}Pods`]: pods.map((p) => `${p.name}=${p.ip}`) },
      };
    },
    { timeoutMs: options.seconds * 1000, intervalMs: 200 },
  );
  await attachTiming(
    scenario,
    `${expandName(scenario, options.name)} resolved to the ${options.count} ${which} pod IPs of ${options.backend.name}`,
    startedAt,
  );
}

/**
 * Waits until `name` resolves to exactly the IP of `pod`, or (pod undefined) does not resolve (NXDOMAIN). Looked up
 * from `from` when given (a pod resolving its own hostname answers from its /etc/hosts first, as getent does), else
 * from the scenario's DNS client.
 */
export async function expectResolves(
  scenario: ScenarioContext,
  options: { name: string; seconds: number; pod: string | undefined; from?: string },
) {
  const context = scenario;
  let startedAt = Date.now();
  const lookedUp = `${expandName(context, options.name)}${options.from ? `, looked up from the pod ${options.from},` : ""}`;
  await eventually<unknown>(
    options.pod ? `${lookedUp} resolves to the IP of pod ${options.pod}` : `${lookedUp} does not resolve (NXDOMAIN)`,
    async () => {
      if (!options.pod) {
        // No record of either family: an A lookup alone also finds "no such host" for a name with only AAAA records.
        const [a, aaaa] = [
          await resolveName(context, options.name, "A", options.from),
          await resolveName(context, options.name, "AAAA", options.from),
        ];
        startedAt = a.startUnixMs;
        const gone = (l: typeof a) => !l.ok && l.errorKind === "nxdomain";
        return { satisfied: gone(a) && gone(aaaa), value: `A ${describeLookup(a)}; AAAA ${describeLookup(aaaa)}` };
      }
      const pod = await context.kube.core.readNamespacedPod({ name: options.pod, namespace: context.name });
      const ip = pod.status?.podIP ?? "(no IP yet)";
      const lookup = await resolveName(context, options.name, addressRecordOf(pod.status?.podIP), options.from);
      startedAt = lookup.startUnixMs;
      return {
        satisfied: lookup.ok && (lookup.answers ?? []).join() === ip,
        value: { resolved: describeLookup(lookup), [options.pod]: ip },
      };
    },
    { timeoutMs: options.seconds * 1000, intervalMs: 200 },
  );
  await attachTiming(
    scenario,
    options.pod
      ? `${expandName(scenario, options.name)} resolved to pod ${options.pod}`
      : `${expandName(scenario, options.name)} did not resolve`,
    startedAt,
  );
}

/**
 * The name answers the Service's ClusterIP of one family: A for IPv4, AAAA for IPv6. On a dual-stack cluster CoreDNS
 * answers each family's record from spec.clusterIPs.
 */
export async function expectResolvesToClusterIPOfFamily(
  scenario: ScenarioContext,
  options: { name: string; service: string; family: string; seconds: number },
): Promise<void> {
  const family = parseFamily(options.family);
  const service = await scenario.kube.core.readNamespacedService({ name: options.service, namespace: scenario.name });
  const clusterIPs = service.spec?.clusterIPs ?? [];
  const wanted = clusterIPs.find((ip) => familyOf(ip) === family);
  if (!wanted)
    throw new Error(
      `expected ${expandName(scenario, options.name)} to resolve to the ${family} ClusterIP of ${options.service}, but the Service has none (its ClusterIPs: ${describeClusterIPs(clusterIPs)}, ipFamilyPolicy ${service.spec?.ipFamilyPolicy ?? "unset"})`,
    );
  const type = family === "IPv4" ? "A" : "AAAA";
  let startedAt = Date.now();
  await eventually(
    `${expandName(scenario, options.name)} resolves (${type}) to the ${family} ClusterIP of ${options.service} (${wanted})`,
    async () => {
      const lookup = await resolveName(scenario, options.name, type);
      startedAt = lookup.startUnixMs;
      return { satisfied: lookup.ok && (lookup.answers ?? []).join() === wanted, value: describeLookup(lookup) };
    },
    { timeoutMs: options.seconds * 1000, intervalMs: 200 },
  );
  await attachTiming(scenario, `${expandName(scenario, options.name)} resolved (${type}) to ${wanted}`, startedAt);
}

/**
 * The name has no address of one family (its A or AAAA lookup finds no record) while it resolves in the other: a
 * single-stack Service's name on a dual-stack cluster. Both lookups, so a name that does not exist at all fails.
 */
export async function expectNoAddressOfFamily(
  scenario: ScenarioContext,
  options: { name: string; family: string; seconds: number },
): Promise<void> {
  const family = parseFamily(options.family);
  const [missing, present] = family === "IPv6" ? (["AAAA", "A"] as const) : (["A", "AAAA"] as const);
  await eventually(
    `${expandName(scenario, options.name)} has no ${family} address (${missing}: no record) but resolves over ${present}`,
    async () => {
      const absent = await resolveName(scenario, options.name, missing);
      const other = await resolveName(scenario, options.name, present);
      return {
        satisfied: !absent.ok && absent.errorKind === "nxdomain" && other.ok && (other.answers ?? []).length > 0,
        value: `${missing} ${describeLookup(absent)}; ${present} ${describeLookup(other)}`,
      };
    },
    { timeoutMs: options.seconds * 1000, intervalMs: 200 },
  );
}

/**
 * Waits until the SRV records of `name` (e.g. "_http._tcp.web") are exactly one per ready pod of `backend`, each
 * naming `port`, and every target resolves to one of those pods' IPs.
 */
export async function expectSrvRecords(
  scenario: ScenarioContext,
  options: { name: string; port: number; count: number; backend: Backend; seconds: number },
): Promise<void> {
  const context = scenario;
  let startedAt = Date.now();
  await eventually<unknown>(
    `the SRV records of ${expandName(context, options.name)} name port ${options.port} on each of the ${options.count} ready pods of ${options.backend.name}`,
    async () => {
      const ready = await options.backend.readyPods();
      const srv = await resolveName(context, options.name, "SRV");
      startedAt = srv.startUnixMs;
      const records = (srv.answers ?? []).map((answer) => {
        const [priority, weight, port, target] = answer.split(" ");
        return { priority, weight, port: Number(port), target: target ?? "" };
      });
      const expectedIPs = ready.map((p) => p.ip).sort();
      const targetIPs: string[] = [];
      for (const record of records) {
        const a = await resolveName(context, record.target, addressRecordOf(expectedIPs[0]));
        targetIPs.push(...(a.answers ?? []));
      }
      const satisfied =
        ready.length === options.count &&
        records.length === options.count &&
        records.every((r) => r.port === options.port) &&
        targetIPs.sort().join() === expectedIPs.join();
      return { satisfied, value: { srv: describeLookup(srv), targetIPs, readyPodIPs: expectedIPs } };
    },
    { timeoutMs: options.seconds * 1000, intervalMs: 300 },
  );
  await attachTiming(
    scenario,
    `SRV ${expandName(scenario, options.name)} listed port ${options.port} on the ${options.count} ready pods`,
    startedAt,
  );
}

/** Waits until lookups of `name` fail (no answer at all: e.g. cluster DNS is down), and reports how they failed. */
export async function expectLookupsFail(
  scenario: ScenarioContext,
  options: { name: string; seconds: number },
): Promise<void> {
  const context = scenario;
  let startedAt = Date.now();
  await eventually(
    `lookups of ${expandName(context, options.name)} fail`,
    async () => {
      const lookup = await resolveName(context, options.name, "A");
      startedAt = lookup.startUnixMs;
      return { satisfied: !lookup.ok && lookup.errorKind !== "nxdomain", value: describeLookup(lookup) };
    },
    { timeoutMs: options.seconds * 1000, intervalMs: 200 },
  );
  await attachTiming(scenario, `lookups of ${expandName(scenario, options.name)} failed`, startedAt);
}

/** Waits until `name` resolves to the ClusterIP of the Service `service` (e.g. after cluster DNS came back). */
export async function expectResolvesToClusterIP(
  scenario: ScenarioContext,
  options: { name: string; service: string; seconds: number },
): Promise<void> {
  const context = scenario;
  const service = await context.kube.core.readNamespacedService({ name: options.service, namespace: context.name });
  const clusterIP = service.spec?.clusterIP ?? "(none)";
  let startedAt = Date.now();
  await eventually(
    `${expandName(context, options.name)} resolves to the ClusterIP of ${options.service} (${clusterIP})`,
    async () => {
      const lookup = await resolveName(context, options.name, addressRecordOf(clusterIP));
      startedAt = lookup.startUnixMs;
      return { satisfied: lookup.ok && (lookup.answers ?? []).join() === clusterIP, value: describeLookup(lookup) };
    },
    { timeoutMs: options.seconds * 1000, intervalMs: 200 },
  );
  await attachTiming(scenario, `${expandName(scenario, options.name)} resolved to ${clusterIP}`, startedAt);
}

/**
 * Waits until the SRV records of `name` (e.g. "_http._tcp.web") are exactly one, naming `port` on the Service's own
 * name (`<service>.<namespace>.svc.cluster.local`), and that name resolves to the Service's ClusterIP: what cluster
 * DNS answers for a named port of a Service that has a ClusterIP (a headless one answers a record per pod instead).
 */
export async function expectServiceSrvRecord(
  scenario: ScenarioContext,
  options: { name: string; port: number; service: string; seconds: number },
): Promise<void> {
  const context = scenario;
  const service = await context.kube.core.readNamespacedService({ name: options.service, namespace: context.name });
  const clusterIP = service.spec?.clusterIP ?? "(none)";
  const target = serviceFqdn(options.service, context.name);
  let startedAt = Date.now();
  await eventually<unknown>(
    `the SRV record of ${expandName(context, options.name)} names port ${options.port} on ${target} (ClusterIP ${clusterIP})`,
    async () => {
      const srv = await resolveName(context, options.name, "SRV");
      startedAt = srv.startUnixMs;
      const records = (srv.answers ?? []).map((answer) => {
        const [, , port, name] = answer.split(" ");
        return { port: Number(port), target: (name ?? "").replace(/\.$/, "") };
      });
      const a =
        records.length === 1 ? await resolveName(context, records[0]!.target, addressRecordOf(clusterIP)) : undefined;
      const satisfied =
        srv.ok &&
        records.length === 1 &&
        records[0]!.port === options.port &&
        records[0]!.target === target &&
        Boolean(a?.ok) &&
        (a?.answers ?? []).join() === clusterIP;
      return { satisfied, value: { srv: describeLookup(srv), target: a ? describeLookup(a) : "(not looked up)" } };
    },
    { timeoutMs: options.seconds * 1000, intervalMs: 300 },
  );
  await attachTiming(
    scenario,
    `SRV ${expandName(context, options.name)} named port ${options.port} on ${target}`,
    startedAt,
  );
}
