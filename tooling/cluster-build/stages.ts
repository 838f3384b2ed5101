import { join } from "node:path";
import { runCommand } from "../../support/process/command.ts";
import { CacheEntry, cacheKey, directoryDigest, fileDigest } from "./cache.ts";
import { dockerImageExists } from "./docker.ts";
import { type PinnedVersions, projectRoot } from "./versions.ts";

/** One build output of the toolchain: files in the cache, or a Docker image whose tag carries the cache key. */
export interface Stage {
  readonly name: string;
  readonly summary: string;
  /** Stages whose outputs this one reads. */
  readonly needs: readonly string[];
  /** Version values and recipe files this output depends on (besides the keys of `needs`). */
  inputs(versions: PinnedVersions): readonly string[];
  /** Docker image produced by the stage, if any (name:tag; the tag contains the key). */
  image?(versions: PinnedVersions, key: string): string;
  build(context: BuildContext): Promise<void>;
}

export interface BuildContext {
  readonly versions: PinnedVersions;
  readonly key: string;
  /** Where the stage writes its files (a partial directory until the build succeeds). */
  readonly outputDir: string;
  readonly logFile: string;
  /** Output directory of a finished stage this one `needs`. */
  dirOf(stage: string): string;
  imageOf(stage: string): string;
}

const script = (name: string) => join(projectRoot, "cluster", "build", name);
/** A cold Kubernetes build takes tens of minutes on 2 cores; no stage may take longer than this. */
const buildTimeoutMs = 75 * 60_000;

function shellStage(context: BuildContext, scriptName: string, args: readonly string[]) {
  return runCommand("bash", [script(scriptName), ...args], {
    env: { ...process.env, ...context.versions },
    logFile: context.logFile,
    timeoutMs: buildTimeoutMs,
  });
}

function goProgram(name: string, summary: string, versionKey: keyof PinnedVersions): Stage {
  return {
    name,
    summary,
    needs: [],
    inputs: (v) => [v[versionKey], fileDigest(script("go-binary.sh"))],
    build: async (c) => {
      await shellStage(c, "go-binary.sh", [name, c.outputDir, join(c.outputDir, ".work")]);
      await runCommand("rm", ["-rf", join(c.outputDir, ".work")]);
    },
  };
}

export const stages: readonly Stage[] = [
  goProgram("kind", "kind (sigs.k8s.io/kind)", "KIND_VERSION"),
  goProgram("crictl", "crictl (cri-tools)", "CRICTL_VERSION"),
  goProgram("cni-plugins", "CNI plugins bridge, host-local, loopback, portmap", "CNI_PLUGINS_VERSION"),
  goProgram("etcd", "etcd", "ETCD_VERSION"),
  goProgram("coredns", "CoreDNS", "COREDNS_VERSION"),
  goProgram("flannel", "flanneld", "FLANNEL_VERSION"),
  {
    name: "kubernetes",
    summary: "Kubernetes binaries (kubeadm, kubelet, kubectl, apiserver, controller-manager, scheduler, proxy)",
    needs: [],
    inputs: (v) => [v.KUBERNETES_VERSION, v.KUBERNETES_STAGING_VERSION, fileDigest(script("kubernetes.sh"))],
    build: async (c) => {
      await shellStage(c, "kubernetes.sh", [c.outputDir, join(c.outputDir, ".work")]);
      await runCommand("rm", ["-rf", join(c.outputDir, ".work")]);
    },
  },
  {
    name: "pause",
    summary: "pause (static C, images/pause/pause.c)",
    needs: [],
    inputs: () => [fileDigest(join(projectRoot, "images/pause/pause.c"))],
    build: async (c) => {
      await runCommand(
        "gcc",
        ["-Os", "-static", "-o", join(c.outputDir, "pause"), join(projectRoot, "images/pause/pause.c")],
        { logFile: c.logFile },
      );
    },
  },
  rootfs("rootfs-node", "Debian rootfs for the kind node (systemd, containerd, runc)", "node"),
  rootfs("rootfs-component", "Debian rootfs for component images (iptables, conntrack)", "component"),
  {
    name: "component-images",
    summary: "images the cluster runs (apiserver, controller-manager, scheduler, proxy, etcd, CoreDNS, pause, flannel)",
    needs: ["rootfs-component", "kubernetes", "etcd", "coredns", "flannel", "pause"],
    inputs: (v) => [
      v.KUBERNETES_VERSION,
      v.ETCD_IMAGE_TAG,
      v.COREDNS_VERSION,
      v.FLANNEL_VERSION,
      v.PAUSE_IMAGE_TAG,
      fileDigest(script("component-images.sh")),
      fileDigest(join(projectRoot, "images/flannel/flannel-node")),
    ],
    build: (c) =>
      shellStage(c, "component-images.sh", [
        c.outputDir,
        join(c.dirOf("rootfs-component"), "rootfs.tar"),
        c.dirOf("kubernetes"),
        c.dirOf("etcd"),
        c.dirOf("coredns"),
        c.dirOf("flannel"),
        c.dirOf("pause"),
        c.key,
      ]).then(() => undefined),
  },
  {
    name: "node-image",
    summary: "kind node image (kubelet, containerd, preloaded images, flannel manifest)",
    needs: ["rootfs-node", "kubernetes", "crictl", "cni-plugins", "component-images", "kind"],
    inputs: (v) => [
      v.NODE_RECIPE,
      v.KIND_VERSION,
      fileDigest(script("node-image.sh")),
      fileDigest(join(projectRoot, "cluster/node/cni-flannel.yaml")),
    ],
    image: (v, key) => `kubequake.local/node:${v.KUBERNETES_VERSION}-${key}`,
    build: (c) =>
      shellStage(c, "node-image.sh", [
        c.imageOf("node-image"),
        join(c.dirOf("rootfs-node"), "rootfs.tar"),
        c.dirOf("kubernetes"),
        c.dirOf("crictl"),
        c.dirOf("cni-plugins"),
        c.dirOf("component-images"),
        join(c.outputDir, ".work"),
      ]).then(() => undefined),
  },
  {
    name: "demo-image",
    summary: "demo backend/frontend/prober image (images/demo)",
    needs: [],
    inputs: () => [directoryDigest(join(projectRoot, "images/demo")), fileDigest(script("demo-image.sh"))],
    image: (_v, key) => `kubequake.local/demo:${key}`,
    build: (c) => shellStage(c, "demo-image.sh", [c.imageOf("demo-image"), c.outputDir]).then(() => undefined),
  },
  {
    name: "metallb",
    summary: "MetalLB controller and speaker (go.universe.tf/metallb, L2 mode) and its install manifest",
    needs: [],
    inputs: (v) => [v.METALLB_VERSION, fileDigest(join(projectRoot, "images/metallb/build.sh"))],
    image: (v, key) => `kubequake.local/metallb:${v.METALLB_VERSION}-${key}`,
    build: (c) =>
      runCommand(
        "bash",
        [join(projectRoot, "images/metallb/build.sh"), c.imageOf("metallb"), c.outputDir, join(c.outputDir, ".work")],
        {
          env: { ...process.env, ...c.versions },
          logFile: c.logFile,
          timeoutMs: buildTimeoutMs,
        },
      ).then(() => undefined),
  },
];

/**
 * Kubernetes' conformance tests and what they run (cluster/build/e2e-tests.sh, e2e-images.sh). Built only when asked
 * for by name (`buildStages(…, ["e2e-images"])`), never by a plain `cluster up`: they take minutes to build and only
 * `kubequake conformance` needs them.
 */
export const conformanceStages: readonly Stage[] = [
  {
    name: "e2e-tests",
    summary: "Kubernetes' conformance tooling (e2e.test, agnhost, kubectl, ginkgo)",
    needs: [],
    inputs: (v) => [v.KUBERNETES_VERSION, v.KUBERNETES_STAGING_VERSION, fileDigest(script("e2e-tests.sh"))],
    build: async (c) => {
      await shellStage(c, "e2e-tests.sh", [c.outputDir, join(c.outputDir, ".work")]);
      await runCommand("rm", ["-rf", join(c.outputDir, ".work")]);
    },
  },
  {
    name: "e2e-images",
    summary: "the image e2e.test runs (agnhost on Debian with curl, nc, dig …), under the names it expects",
    needs: ["e2e-tests", "coredns"],
    inputs: (v) => [v.DEBIAN_SUITE, fileDigest(script("e2e-images.sh"))],
    image: (_v, key) => `kubequake.local/e2e-base:${key}`,
    build: (c) =>
      shellStage(c, "e2e-images.sh", [
        c.outputDir,
        join(c.outputDir, ".work"),
        c.dirOf("e2e-tests"),
        c.dirOf("coredns"),
        c.imageOf("e2e-images"),
      ]).then(() => undefined),
  },
];

function rootfs(name: string, summary: string, flavour: "node" | "component"): Stage {
  return {
    name,
    summary,
    needs: [],
    inputs: (v) => [v.DEBIAN_SUITE, flavour, fileDigest(script("rootfs.sh"))],
    build: (c) =>
      shellStage(c, "rootfs.sh", [join(c.outputDir, "rootfs.tar"), join(c.outputDir, ".work"), flavour]).then(
        () => undefined,
      ),
  };
}

/** A stage resolved against the pinned versions: its key, cache entry and image name. */
export interface ResolvedStage {
  readonly stage: Stage;
  readonly key: string;
  readonly entry: CacheEntry;
  readonly image: string | undefined;
}

/**
 * Computes every stage's key; a stage's key covers its own inputs and the keys of the stages it needs.
 * On-demand stages are left out unless `includeOnDemand` is set, so `cluster up` and `cluster status` never see them.
 */
export function resolveStages(
  versions: PinnedVersions,
  options: { readonly includeOnDemand?: boolean } = {},
): Map<string, ResolvedStage> {
  const resolved = new Map<string, ResolvedStage>();
  const resolve = (stage: Stage): ResolvedStage => {
    const done = resolved.get(stage.name);
    if (done) return done;
    const needKeys = stage.needs.map((need) => resolve(stageNamed(need)).key);
    const key = cacheKey([stage.name, ...stage.inputs(versions), ...needKeys]);
    const result = { stage, key, entry: new CacheEntry(stage.name, key), image: stage.image?.(versions, key) };
    resolved.set(stage.name, result);
    return result;
  };
  for (const stage of stages) resolve(stage);
  if (options.includeOnDemand) for (const stage of conformanceStages) resolve(stage);
  return resolved;
}

export function stageNamed(name: string): Stage {
  const stage = [...stages, ...conformanceStages].find((candidate) => candidate.name === name);
  if (!stage) throw new Error(`unknown build stage "${name}"`);
  return stage;
}

/** A stage is ready when its files are complete and, for image stages, the image exists in Docker. */
export async function isStageReady(resolved: ResolvedStage): Promise<boolean> {
  if (!resolved.entry.isComplete()) return false;
  return resolved.image === undefined || (await dockerImageExists(resolved.image));
}

/** The demo workload image for the pinned versions (built and loaded by `cluster up`). */
export function demoImageName(versions: PinnedVersions): string {
  return resolveStages(versions).get("demo-image")!.image!;
}
