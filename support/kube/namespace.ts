import { createHash, randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { KubernetesObject, V1Namespace } from "@kubernetes/client-node";
import { UserError } from "../errors/user-error.ts";
import { processAlive } from "../process/liveness.ts";
import { apiErrorMessage, apiStatus, type Kube } from "./client.ts";
import { ResourceTracker } from "./tracker.ts";
import { managedByLabel } from "./workloads.ts";

export const runLabel = "kubequake.dev/run";
/** PID of the process that owns a run's namespaces; a namespace whose owner is gone is a leftover. */
const ownerAnnotation = "kubequake.dev/owner-pid";
/**
 * The machine the owner PID belongs to: on a cluster shared by several runners (CI shards, colleagues), a PID means
 * nothing elsewhere, so a run sweeps only namespaces its own machine's dead runs left.
 */
const hostAnnotation = "kubequake.dev/owner-host";

/**
 * A namespace of one scenario and everything created in it. Objects are created through `apply`, which records
 * them for removal in reverse order by `cleanup` (the namespace itself last).
 */
export class ScenarioNamespace {
  readonly kube: Kube;
  readonly name: string;
  readonly tracker = new ResourceTracker();

  private constructor(kube: Kube, name: string) {
    this.kube = kube;
    this.name = name;
  }

  /**
   * Creates `kq-<run>-<worker>-<slug>-<hash of key>` (see {@link namespaceName}) labelled with the run id for the
   * leftover sweep. The name is new for every pickle and attempt (a random key when none is given), so it never
   * meets a namespace that is still being deleted.
   */
  static async create(
    kube: Kube,
    runId: string,
    worker: string,
    scenario: string,
    key: string = randomUUID(),
  ): Promise<ScenarioNamespace> {
    const name = namespaceName(runId, worker, scenario, key);
    await kube.core.createNamespace({
      body: {
        metadata: {
          name,
          labels: { ...managedByLabel, [runLabel]: runId },
          annotations: { [ownerAnnotation]: String(runOwnerPid()), [hostAnnotation]: hostname() },
        },
      },
    });
    const namespace = new ScenarioNamespace(kube, name);
    namespace.tracker.track(`namespace ${name}`, () =>
      kube.core.deleteNamespace({ name, propagationPolicy: "Background" }),
    );
    return namespace;
  }

  /** Creates an object in this namespace and tracks it; returns the object as the API server stored it. */
  async apply<T extends KubernetesObject>(object: T): Promise<T> {
    const body = { ...object, metadata: { ...object.metadata, namespace: this.name } } as T;
    let created: T;
    try {
      created = (await this.kube.objects.create(body)) as T;
    } catch (error) {
      throw new ApiRejection(object, this.name, error);
    }
    const description = `${object.kind} ${this.name}/${object.metadata?.name}`;
    this.tracker.track(description, () =>
      this.kube.objects.delete(
        {
          apiVersion: object.apiVersion,
          kind: object.kind,
          metadata: { name: object.metadata?.name, namespace: this.name },
        },
        undefined,
        undefined,
        0,
        undefined,
        "Background",
      ),
    );
    return created;
  }

  async cleanup(): Promise<void> {
    await this.tracker.cleanup();
  }
}

/** Kubernetes' limit for a namespace name (a DNS-1123 label). */
const maxNamespaceLength = 63;
const suffixLength = 6;

/**
 * A readable, unique namespace name: `kq-<run>-<worker>-<scenario slug>-<suffix>`, a DNS-1123 label of at most 63
 * characters. The slug is cut to fit; the suffix (6 base-36 characters of a SHA-256 of `key`) is what makes the name
 * unique, so `key` must differ for every pickle of the run: the Before hook passes the pickle's uri, id and attempt,
 * which tells apart Scenario Outline rows and scenarios whose names share a long prefix.
 */
/** The API server refused to create an object: its own message in one line, and what to do about it. */
export class ApiRejection extends UserError {
  readonly status: number | undefined;
  readonly apiMessage: string;
  constructor(object: KubernetesObject, namespace: string, error: unknown) {
    const status = apiStatus(error);
    const apiMessage = apiErrorMessage(error);
    super(
      `the API server rejected ${object.kind} "${object.metadata?.name}" in ${namespace}: ${apiMessage}`,
      status === 409
        ? `a ${object.kind} of that name already exists in this scenario: give the new one another name (each scenario starts with an empty namespace).`
        : status === 422 || status === 400
          ? "the object is invalid as the message says: fix that field (kubectl explain shows the expected fields)."
          : "read the API server's message above; the scenario's diagnostics show the namespace's objects and events.",
      { cause: error },
    );
    this.name = "ApiRejection";
    this.status = status;
    this.apiMessage = apiMessage;
    if (!process.env.KUBEQUAKE_VERBOSE) this.stack = `${this.name}: ${this.message}`;
  }
}

export function namespaceName(runId: string, worker: string, scenario: string, key: string): string {
  const digest = BigInt(`0x${createHash("sha256").update(key).digest("hex").slice(0, 16)}`);
  const suffix = digest.toString(36).padStart(suffixLength, "0").slice(-suffixLength);
  const prefix = `kq-${slugify(runId) || "run"}-${slugify(worker) || "w"}`.slice(0, 40).replace(/-+$/, "");
  const room = maxNamespaceLength - prefix.length - suffix.length - 2;
  const slug = slugify(scenario).slice(0, room).replace(/-+$/, "") || "scenario".slice(0, room);
  return [prefix, slug, suffix].filter(Boolean).join("-");
}

/** Lowercase letters, digits and single dashes, no dash at either end: the alphabet of a DNS-1123 label. */
function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** The run's owner: the `kubequake run` process (passed to cucumber workers), else this process. */
export function runOwnerPid(): number {
  return Number(process.env.KUBEQUAKE_RUN_OWNER_PID ?? process.pid);
}

/**
 * Deletes namespaces left by runs on this machine whose owning process is gone (crashed, killed, interrupted);
 * concurrent runs here keep theirs, and runs from other machines sharing the cluster are never touched. Returns the names deleted.
 */
export async function sweepLeftoverNamespaces(kube: Kube, currentRunId: string): Promise<string[]> {
  const list = await kube.core.listNamespace({ labelSelector: runLabel });
  const leftovers = list.items
    .filter((ns) => ns.metadata?.labels?.[runLabel] !== currentRunId && ns.status?.phase !== "Terminating")
    .filter(ownedByThisMachine)
    .filter((ns) => !processAlive(Number(ns.metadata?.annotations?.[ownerAnnotation] ?? 0)))
    .map((ns) => ns.metadata!.name!);
  for (const name of leftovers) {
    await kube.core.deleteNamespace({ name }).catch((error) => {
      if (apiStatus(error) !== 404) throw error;
    });
  }
  return leftovers;
}

/** Namespaces from before the host annotation existed were made on kubequake's own kind cluster, on this machine. */
function ownedByThisMachine(ns: V1Namespace): boolean {
  const host = ns.metadata?.annotations?.[hostAnnotation];
  return host === undefined || host === hostname();
}

/** Deletes every namespace owned by `ownerPid` (this run's, from any worker thread); returns their names. */
export async function deleteNamespacesOwnedBy(kube: Kube, ownerPid: number): Promise<string[]> {
  const list = await kube.core.listNamespace({ labelSelector: runLabel });
  const owned = list.items
    .filter(
      (ns) => Number(ns.metadata?.annotations?.[ownerAnnotation]) === ownerPid && ns.status?.phase !== "Terminating",
    )
    .filter(ownedByThisMachine)
    .map((ns) => ns.metadata!.name!);
  await Promise.all(
    owned.map((name) =>
      kube.core.deleteNamespace({ name, propagationPolicy: "Background" }).catch((error) => {
        if (apiStatus(error) !== 404) throw error;
      }),
    ),
  );
  return owned;
}
