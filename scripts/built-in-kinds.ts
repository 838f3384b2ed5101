// tooling/lint/built-in-kinds.json: the apiVersions that serve each built-in kind, read from the API discovery of
// kubequake's kind cluster (the Kubernetes version pinned in cluster/versions.env), so `kubequake lint` can tell
// `apps/v2 Deployment` is wrong without a cluster. Custom resources (MetalLB's) are left out: lint leaves kinds it
// does not know alone. Run it again after a Kubernetes version bump:
//   node scripts/built-in-kinds.ts --out     writes the file (needs the running cluster)
//   node scripts/built-in-kinds.ts --check   fails (exit 1) when the file differs from the cluster's discovery
import { readFileSync, writeFileSync } from "node:fs";
import { kubeconfigPath } from "../support/cluster/kind.ts";
import { connectKube } from "../support/kube/client.ts";
import { getDiscovery } from "../support/objects/api-discovery.ts";
import { loadVersions } from "../tooling/cluster-build/versions.ts";
import { builtInKindsPath } from "../tooling/lint/built-in-kinds.ts";

interface ResourceList {
  resources?: { name: string; kind: string; namespaced: boolean }[];
}

const mode = process.argv[2];
if (mode !== "--out" && mode !== "--check") {
  console.error("usage: node scripts/built-in-kinds.ts --out|--check");
  process.exit(2);
}
const kube = await connectKube(kubeconfigPath);
const crds = await getDiscovery<{ items?: { spec: { group: string } }[] }>(
  kube,
  "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
);
const customGroups = new Set((crds.items ?? []).map((crd) => crd.spec.group));
const groups = await getDiscovery<{ groups?: { name: string; versions: { groupVersion: string }[] }[] }>(kube, "/apis");
const groupVersions = [
  "v1",
  ...(groups.groups ?? [])
    .filter((g) => !customGroups.has(g.name))
    .flatMap((g) => g.versions.map((v) => v.groupVersion)),
];
const kinds: Record<string, { apiVersions: string[]; namespaced: boolean }> = {};
for (const groupVersion of groupVersions) {
  const list = await getDiscovery<ResourceList>(kube, groupVersion === "v1" ? "/api/v1" : `/apis/${groupVersion}`);
  // Subresources (deployments/scale) name another kind (Scale) that is not applied on its own.
  for (const resource of (list.resources ?? []).filter((r) => !r.name.includes("/"))) {
    const entry = kinds[resource.kind] ?? { apiVersions: [], namespaced: resource.namespaced };
    if (!entry.apiVersions.includes(groupVersion)) entry.apiVersions.push(groupVersion);
    kinds[resource.kind] = entry;
  }
}
const sorted = Object.fromEntries(Object.entries(kinds).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
const text = `${JSON.stringify({ kubernetes: loadVersions().KUBERNETES_VERSION, kinds: sorted }, null, 2)}\n`;
if (mode === "--out") {
  writeFileSync(builtInKindsPath, text);
  console.log(
    `tooling/lint/built-in-kinds.json: ${Object.keys(sorted).length} kinds in ${groupVersions.length} group versions`,
  );
} else if (readFileSync(builtInKindsPath, "utf8") !== text) {
  console.error(`${builtInKindsPath} differs from the cluster's discovery: run node scripts/built-in-kinds.ts --out`);
  process.exit(1);
}
