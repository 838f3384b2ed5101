import type { Kube } from "../kube/client.ts";

/** MetalLB (kubequake's LoadBalancer implementation, installed by `cluster up`): where it runs and its pool's name. */
export const metallbNamespace = "metallb-system";
export const poolName = "kubequake";

/** What is installed now, read from the API (never throws). */
export interface MetallbState {
  readonly controllerImage?: string;
  readonly controllerReady: string;
  readonly speakerImage?: string;
  readonly speakerReady: string;
  readonly pool?: string;
  readonly problem?: string;
}

/** MetalLB's state on the cluster of `kube` (made once by the caller: this is polled while MetalLB starts). */
export async function readMetallb(kube: Kube): Promise<MetallbState> {
  const { apps, custom } = kube;
  const namespace = metallbNamespace;
  const [deployment, daemonSet, pool] = await Promise.all([
    apps.readNamespacedDeployment({ name: "controller", namespace }).catch(() => undefined),
    apps.readNamespacedDaemonSet({ name: "speaker", namespace }).catch(() => undefined),
    custom
      .getNamespacedCustomObject({
        group: "metallb.io",
        version: "v1beta1",
        namespace,
        plural: "ipaddresspools",
        name: poolName,
      })
      .catch(() => undefined) as Promise<{ spec?: { addresses?: string[] } } | undefined>,
  ]);
  const controllerReady = `${deployment?.status?.readyReplicas ?? 0}/${deployment?.spec?.replicas ?? 0}`;
  const speakerReady = `${daemonSet?.status?.numberReady ?? 0}/${daemonSet?.status?.desiredNumberScheduled ?? 0}`;
  const rolledOut =
    deployment !== undefined &&
    daemonSet !== undefined &&
    (deployment.status?.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 1) &&
    deployment.status?.updatedReplicas === deployment.spec?.replicas &&
    deployment.status?.readyReplicas === deployment.spec?.replicas &&
    (daemonSet.status?.observedGeneration ?? 0) >= (daemonSet.metadata?.generation ?? 1) &&
    daemonSet.status?.updatedNumberScheduled === daemonSet.status?.desiredNumberScheduled &&
    daemonSet.status?.numberReady === daemonSet.status?.desiredNumberScheduled &&
    (daemonSet.status?.desiredNumberScheduled ?? 0) > 0;
  const problem = !deployment
    ? "not installed"
    : !rolledOut
      ? `not ready (controller ${controllerReady}, speaker ${speakerReady})`
      : !pool
        ? `no IPAddressPool "${poolName}"`
        : undefined;
  return {
    controllerImage: deployment?.spec?.template.spec?.containers[0]?.image,
    controllerReady,
    speakerImage: daemonSet?.spec?.template.spec?.containers[0]?.image,
    speakerReady,
    pool: pool?.spec?.addresses?.join(","),
    ...(problem ? { problem } : {}),
  };
}
