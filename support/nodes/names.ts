import { clusterName } from "../cluster/kind.ts";

/**
 * Features name kind's nodes as the default cluster calls them ("kubequake-worker2"); on another variant's cluster
 * the same node is "kubequake-nftables-worker2" (kind names nodes after their cluster). So a written kind node name
 * means that node of the run's own cluster, and one feature runs on every variant. Any other name is left alone.
 */
export function nodeNameOnThisCluster(written: string, cluster = clusterName): string {
  if (cluster === "kubequake") return written;
  return written.replace(kindNodeNamePattern, (_, role: string) => `${cluster}-${role}`);
}

/** As {@link nodeNameOnThisCluster}, for every kind node name in a text (a manifest's nodeName, a hostname selector). */
export function nodeNamesOnThisCluster(text: string, cluster = clusterName): string {
  if (cluster === "kubequake") return text;
  return text.replace(kindNodeNamesInText, (_, role: string) => `${cluster}-${role}`);
}

const kindNodeNamePattern = /^kubequake-(control-plane|worker\d*)$/;
const kindNodeNamesInText = /(?<![\w.-])kubequake-(control-plane|worker\d*)(?![\w.-])/g;
