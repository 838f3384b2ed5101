import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type KubernetesObject,
  type KubernetesObjectApi,
  PatchStrategy,
  type V1DaemonSet,
  type V1Deployment,
} from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";
import { ipFamily, kubeconfigPath, listNodeContainers, proxyMode } from "../../support/cluster/kind.ts";
import { metallbNamespace, poolName, readMetallb } from "../../support/cluster/metallb.ts";
import { variantPoolSlot } from "../../support/cluster/variant.ts";
import { UserError } from "../../support/errors/user-error.ts";
import { connectKube } from "../../support/kube/client.ts";
import { ipv4ToNumber } from "../../support/kube/networks.ts";
import type { Logger } from "../../support/log/logger.ts";
import { runCommand } from "../../support/process/command.ts";
import { eventually } from "../../support/wait/eventually.ts";
import { logDir, seconds } from "./build.ts";
import { loadImage, nodeImages } from "./kind-cli.ts";
import { readKindNetwork } from "./seal.ts";

/**
 * MetalLB in L2 mode: kubequake's LoadBalancer implementation. Its controller assigns each LoadBalancer Service an
 * address from a pool carved out of the kind Docker network; one speaker answers ARP for it on the node network, so
 * the host and every container on the kind network reach it directly (the seal is not involved: the packets never
 * leave the bridge). Built by the `metallb` stage (images/metallb/build.sh), installed by `cluster up` from MetalLB's
 * own manifest of that version, which the stage copies out of the Go module cache.
 */
const fieldManager = "kubequake-cluster-up";
const manifestFile = "metallb-native.yaml";

/** First and last address of the LoadBalancer pool. */
export interface AddressRange {
  readonly first: string;
  readonly last: string;
}

// Not an address compares as NaN: never inside a range.
const toNumber = (ip: string) => ipv4ToNumber(ip) ?? Number.NaN;
const toIp = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");

/**
 * The pool at the top of an IPv4 subnet: its last 56 addresses but the 5 highest (e.g. 172.18.255.200–.250 of
 * 172.18.0.0/16). Docker hands out addresses from the bottom, so nodes and outside-world containers stay far below;
 * an address in use inside the range (`inUse`) is refused rather than silently shared. Each cluster variant on the
 * network takes its own 64 addresses below (`slot` 1: 172.18.255.136–.186), so no two clusters announce one address.
 */
export function poolRange(subnet: string, inUse: readonly string[] = [], slot = 0): AddressRange {
  const match = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(subnet);
  if (!match || Number(match[2]) > 24) {
    throw new UserError(
      `the kind network's IPv4 subnet is ${subnet}; the LoadBalancer pool needs a /24 or larger.`,
      "recreate the kind network with a larger subnet (kind's default is a /16).",
    );
  }
  const size = 2 ** (32 - Number(match[2]));
  const top = Math.floor(toNumber(match[1]!) / size) * size + size - 1 - 64 * slot;
  const range = { first: toIp(top - 55), last: toIp(top - 5) };
  const clash = inUse.filter((ip) => toNumber(ip) >= top - 55 && toNumber(ip) <= top - 5);
  if (clash.length > 0) {
    throw new UserError(
      `the LoadBalancer pool ${range.first}-${range.last} of ${subnet} overlaps addresses in use on the kind network: ${clash.join(", ")}.`,
      "remove those containers from the kind network (docker network disconnect), then run `npx kubequake cluster up` again.",
    );
  }
  return range;
}

/**
 * The IPv6 range of an IPv6-only or dual-stack cluster's pool, at the top of the network's IPv6 /64: 51 addresses in the
 * last group below ff00 - 256 × slot (dual-stack slots 0 and 1: …ff08, …fe08; IPv6-only 2 and 3: …fd08, …fc08).
 * Docker hands out IPv6 addresses from the bottom of the subnet (…::2, …::3), so nothing else comes near it.
 */
export function ipv6PoolRange(subnet: string, slot = 0): AddressRange {
  const match = /^([0-9a-f]{1,4}(?::[0-9a-f]{1,4}){3})::\/64$/i.exec(subnet);
  if (!match) {
    throw new UserError(
      `the kind network's IPv6 subnet is ${subnet}; the LoadBalancer pool expects a /64 written as "a:b:c:d::/64".`,
      "remove the network (`docker network rm kind-dual`, once no container uses it); `cluster up` recreates it.",
    );
  }
  const base = 0xff00 - 0x100 * slot;
  const address = (last: number) => `${match[1]}:ffff:ffff:ffff:${last.toString(16)}`;
  return { first: address(base + 0x08), last: address(base + 0x3a) };
}

/**
 * MetalLB's own manifest with kubequake's locally built image: the controller and speaker containers run `/controller`
 * and `/speaker` of the one image the stage builds.
 */
export function renderManifest(yamlText: string, image: string): KubernetesObject[] {
  const objects = parseAllDocuments(yamlText)
    .map((doc) => doc.toJS() as KubernetesObject | null)
    .filter((object): object is KubernetesObject => object !== null);
  for (const object of objects) {
    if (object.kind !== "Deployment" && object.kind !== "DaemonSet") continue;
    const spec = (object as V1Deployment | V1DaemonSet).spec!.template.spec!;
    for (const container of spec.containers) {
      if (container.name !== "controller" && container.name !== "speaker") continue;
      container.image = image;
      container.command = [`/${container.name}`];
      container.imagePullPolicy = "Never";
    }
  }
  return objects;
}

function poolObjects(ranges: readonly AddressRange[]): KubernetesObject[] {
  const metadata = { name: poolName, namespace: metallbNamespace };
  return [
    {
      apiVersion: "metallb.io/v1beta1",
      kind: "IPAddressPool",
      metadata,
      spec: { addresses: ranges.map((range) => `${range.first}-${range.last}`) },
    } as KubernetesObject,
    {
      apiVersion: "metallb.io/v1beta1",
      kind: "L2Advertisement",
      metadata,
      spec: { ipAddressPools: [poolName] },
    } as KubernetesObject,
  ];
}

/** The line `cluster status` prints. */
export async function metallbStatusLine(): Promise<{ line: string; healthy: boolean }> {
  const state = await readMetallb(await connectKube(kubeconfigPath));
  if (state.problem) return { line: `metallb     MISSING: ${state.problem} (cluster up installs it)`, healthy: false };
  return {
    line: `metallb     L2 LoadBalancer ready: controller ${state.controllerReady}, speaker ${state.speakerReady}, pool ${poolName} ${state.pool}`,
    healthy: true,
  };
}

async function ensureImageInNodes(kind: string, image: string, log: Logger): Promise<void> {
  const missing: string[] = [];
  for (const container of await listNodeContainers()) {
    const images = await nodeImages(container.name);
    if (!images.some((tag) => tag === image || tag === `docker.io/${image}`)) missing.push(container.name);
  }
  if (missing.length === 0) return;
  const started = performance.now();
  await loadImage(kind, [image], join(logDir, "kind-load-metallb.log"));
  log.info(`metallb     loaded ${image} into ${missing.length} node(s) in ${seconds(started)}`);
}

async function apply(objects: KubernetesObjectApi, object: KubernetesObject): Promise<void> {
  await objects.patch(object, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply);
}

/**
 * Installs (or updates) MetalLB on the running cluster: the image into every node, upstream's manifest with that
 * image, then the pool and its L2 advertisement once the controller's webhook answers. Does nothing when the
 * installed controller and speaker already run this image and the pool has those ranges. Never touches the nodes.
 */
export async function ensureMetallb(
  kind: string,
  stage: { readonly image: string; readonly dir: string },
  log: Logger,
): Promise<void> {
  const network = await readKindNetwork();
  // The pool has a range of each family the cluster's Services have: IPv4, IPv6 (IPv6-only) or both (dual-stack,
  // where MetalLB gives a dual-stack Service one address of each).
  const families = ipFamily === "dual" ? ["ipv4", "ipv6"] : [ipFamily];
  const slot = variantPoolSlot(proxyMode, ipFamily);
  const ranges: AddressRange[] = [];
  for (const family of families) {
    const subnet = network?.subnets.find((s) => s.includes(family === "ipv6" ? ":" : "."));
    if (!subnet) throw new Error(`the kind network has no ${family} subnet for a LoadBalancer pool`);
    ranges.push(
      family === "ipv6"
        ? ipv6PoolRange(subnet, slot)
        : poolRange(subnet, await nodeIps((await listNodeContainers()).map((n) => n.name)), slot),
    );
  }
  const wantedPool = ranges.map((range) => `${range.first}-${range.last}`).join(",");
  const kube = await connectKube(kubeconfigPath);
  const before = await readMetallb(kube);
  if (
    !before.problem &&
    before.controllerImage === stage.image &&
    before.speakerImage === stage.image &&
    before.pool === wantedPool
  ) {
    log.info(
      `metallb     ready (controller ${before.controllerReady}, speaker ${before.speakerReady}, pool ${wantedPool})`,
    );
    return;
  }
  const started = performance.now();
  await ensureImageInNodes(kind, stage.image, log);
  const { objects } = kube;
  for (const object of renderManifest(readFileSync(join(stage.dir, manifestFile), "utf8"), stage.image)) {
    await apply(objects, object);
  }
  await eventually(
    "MetalLB's controller and speakers are ready",
    async () => {
      const state = await readMetallb(kube);
      const ready = state.problem === undefined || state.problem.startsWith("no IPAddressPool");
      return { satisfied: ready, value: state.problem ?? "ready" };
    },
    { timeoutMs: 240_000, intervalMs: 1000 },
  );
  // The controller's validating webhook checks pools; it may take a moment to serve after the pod turns ready.
  await eventually(
    `MetalLB accepts the pool ${wantedPool}`,
    async () => {
      for (const object of poolObjects(ranges)) await apply(objects, object);
      return { satisfied: true, value: wantedPool };
    },
    { timeoutMs: 120_000, intervalMs: 1000 },
  );
  log.info(`metallb     installed ${stage.image}, pool ${wantedPool} (L2) in ${seconds(started)}`);
}

async function nodeIps(names: readonly string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const result = await runCommand(
    "docker",
    ["inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}", ...names],
    { timeoutMs: 30_000 },
  );
  return result.stdout.split(/\s+/).filter((ip) => /^\d+\.\d+\.\d+\.\d+$/.test(ip));
}
