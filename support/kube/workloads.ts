import type { KubernetesObject, V1Container, V1EnvVar, V1Pod, V1Service } from "@kubernetes/client-node";
import { UserError } from "../errors/user-error.ts";

/** Labels every object kubequake creates carries, so a sweep can find leftovers of crashed runs. */
export const managedByLabel = { "app.kubernetes.io/managed-by": "kubequake" };

const identityEnv: V1EnvVar[] = [
  { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
  { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
  { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
  { name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
];

function demoContainer(image: string, role: "backend" | "frontend" | "prober", env: V1EnvVar[] = []): V1Container {
  return {
    name: role,
    image,
    imagePullPolicy: "IfNotPresent",
    args: [role],
    env: [...identityEnv, ...env],
    ports: [{ name: "http", containerPort: 8080 }],
    // Readiness is checked every second and fails after one miss, so endpoint changes follow toggles quickly.
    readinessProbe: {
      httpGet: { path: "/readyz", port: 8080 },
      periodSeconds: 1,
      failureThreshold: 1,
      timeoutSeconds: 1,
    },
    resources: { requests: { cpu: "10m", memory: "16Mi" } },
  };
}

export interface BackendOptions {
  readonly name: string;
  readonly image: string;
  readonly replicas: number;
  readonly labels?: Record<string, string>;
  /** How long a terminating pod keeps serving after readiness fails (SIGTERM → exit). Seconds. */
  readonly shutdownDelaySeconds?: number;
  readonly kind?: "Deployment" | "StatefulSet";
  readonly serviceName?: string;
  /** Spread the replicas evenly over the schedulable nodes (at most one more on any node than on another). */
  readonly spreadOverNodes?: boolean;
}

/**
 * More replicas than this need KUBEQUAKE_MAX_REPLICAS: on a 2-core machine 500 demo pods took the load average past
 * 100 and ended in a timeout, so a typo (500 for 5) should be caught before it costs minutes.
 */
export const defaultMaxReplicas = 50;

/** Checks a replica count before anything is sent to the cluster. */
export function checkReplicas(name: string, replicas: number): void {
  const max = Number(process.env.KUBEQUAKE_MAX_REPLICAS ?? defaultMaxReplicas);
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw new UserError(
      `"${name}" cannot run ${replicas} replicas: a replica count is a whole number of 0 or more`,
      "write 0 to scale a workload away, or a positive number.",
    );
  }
  if (replicas > max) {
    throw new UserError(
      `"${name}" asks for ${replicas} replicas, more than kubequake allows without an explicit opt-in (${max})`,
      `if you mean it, set KUBEQUAKE_MAX_REPLICAS=${replicas} (and expect minutes on a small machine); otherwise check the number.`,
    );
  }
}

/** The demo backend as a Deployment (or StatefulSet): pods answer with their name, IP, node and the client's IP. */
export function backendWorkload(options: BackendOptions): KubernetesObject {
  checkReplicas(options.name, options.replicas);
  const labels = { app: options.name, ...options.labels };
  const env = [{ name: "SHUTDOWN_DELAY", value: `${options.shutdownDelaySeconds ?? 0}s` }];
  const spec = {
    replicas: options.replicas,
    selector: { matchLabels: { app: options.name } },
    template: {
      metadata: { labels: { ...labels, ...managedByLabel } },
      spec: {
        terminationGracePeriodSeconds: (options.shutdownDelaySeconds ?? 0) + 5,
        containers: [demoContainer(options.image, "backend", env)],
        ...(options.spreadOverNodes
          ? {
              topologySpreadConstraints: [
                {
                  maxSkew: 1,
                  topologyKey: "kubernetes.io/hostname",
                  whenUnsatisfiable: "DoNotSchedule",
                  // Tainted nodes (the control plane) take no pods, so they must not count as empty domains.
                  nodeTaintsPolicy: "Honor",
                  labelSelector: { matchLabels: { app: options.name } },
                },
              ],
            }
          : {}),
      },
    },
  };
  const kind = options.kind ?? "Deployment";
  return {
    apiVersion: "apps/v1",
    kind,
    metadata: { name: options.name, labels: { ...labels, ...managedByLabel } },
    spec:
      kind === "StatefulSet"
        ? { ...spec, serviceName: options.serviceName ?? options.name, podManagementPolicy: "Parallel" }
        : // A new pod must be ready before an old one goes: a rolling update never lowers the ready count.
          { ...spec, strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } },
  } as KubernetesObject;
}

export function frontendWorkload(
  name: string,
  image: string,
  backendUrl: string,
  allowedNetworks: string,
  replicas = 1,
): KubernetesObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels: { app: name, ...managedByLabel } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...managedByLabel } },
        spec: {
          containers: [
            demoContainer(image, "frontend", [
              { name: "BACKEND_URL", value: backendUrl },
              { name: "ALLOWED_NETWORKS", value: allowedNetworks },
            ]),
          ],
        },
      },
    },
  } as KubernetesObject;
}

export interface ServiceOptions {
  readonly name: string;
  readonly selector: Record<string, string>;
  readonly type?: "ClusterIP" | "NodePort" | "LoadBalancer";
  readonly headless?: boolean;
  readonly port?: number;
  readonly portName?: string;
  readonly sessionAffinity?: "ClientIP" | "None";
  readonly affinityTimeoutSeconds?: number;
  readonly publishNotReadyAddresses?: boolean;
}

export function serviceManifest(options: ServiceOptions): V1Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: options.name, labels: managedByLabel },
    spec: {
      type: options.type ?? "ClusterIP",
      ...(options.headless ? { clusterIP: "None" } : {}),
      selector: options.selector,
      ports: [{ name: options.portName ?? "http", port: options.port ?? 80, targetPort: 8080, protocol: "TCP" }],
      sessionAffinity: options.sessionAffinity ?? "None",
      ...(options.sessionAffinity === "ClientIP" && options.affinityTimeoutSeconds
        ? { sessionAffinityConfig: { clientIP: { timeoutSeconds: options.affinityTimeoutSeconds } } }
        : {}),
      publishNotReadyAddresses: options.publishNotReadyAddresses ?? false,
    },
  };
}

/** A bare demo pod in one role, optionally pinned to a node. */
export function demoPod(
  name: string,
  image: string,
  role: "backend" | "frontend" | "prober",
  options: { node?: string; labels?: Record<string, string>; env?: V1EnvVar[] } = {},
): V1Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { ...options.labels, ...managedByLabel } },
    spec: {
      ...(options.node ? { nodeName: options.node } : {}),
      terminationGracePeriodSeconds: 0,
      containers: [demoContainer(image, role, options.env)],
    },
  };
}

/** An in-cluster prober pod, optionally pinned to a node; it connects only to `allowedNetworks` (CIDRs). */
export function proberPod(name: string, image: string, allowedNetworks: string, node?: string): V1Pod {
  return demoPod(name, image, "prober", {
    node,
    labels: { app: "kubequake-prober", "kubequake.dev/prober": name },
    env: [{ name: "ALLOWED_NETWORKS", value: allowedNetworks }],
  });
}

/**
 * Pods that add latency in front of a Service's backends (the demo image's latency-proxy role: Toxiproxy with a
 * latency toxic). They listen on `port` (the Service's targetPort) and forward to `upstream` (host:port).
 */
export function latencyProxyWorkload(options: {
  name: string;
  image: string;
  labels: Record<string, string>;
  upstream: string;
  /** Added to every answer; 0 for none (then `toxics` says what the proxies do). */
  latencyMs: number;
  /** More Toxiproxy toxics, as Toxiproxy takes them ({ type, stream, toxicity, attributes }). */
  toxics?: readonly object[];
  port: number;
  replicas: number;
}): KubernetesObject {
  const labels = { ...options.labels, ...managedByLabel };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: options.name, labels },
    spec: {
      replicas: options.replicas,
      selector: { matchLabels: options.labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: "latency-proxy",
              image: options.image,
              imagePullPolicy: "IfNotPresent",
              args: ["latency-proxy"],
              env: [
                { name: "LISTEN", value: `0.0.0.0:${options.port}` },
                { name: "UPSTREAM", value: options.upstream },
                ...(options.latencyMs > 0 ? [{ name: "LATENCY_MS", value: String(options.latencyMs) }] : []),
                ...(options.toxics?.length ? [{ name: "TOXICS", value: JSON.stringify(options.toxics) }] : []),
              ],
              ports: [{ containerPort: options.port }],
              // A TCP check: an HTTP one would go through the proxy and wait out the latency it adds.
              readinessProbe: { tcpSocket: { port: options.port }, periodSeconds: 1, failureThreshold: 1 },
              resources: { requests: { cpu: "10m", memory: "16Mi" } },
            },
          ],
        },
      },
    },
  } as KubernetesObject;
}
