// Cluster variants side by side (part of `npm run bench`): the same chaos scenarios on each kube-proxy mode's IPv4
// and dual-stack cluster, one after another (`kubequake matrix`), and the figures their steady traffic measured.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { listKindClusters } from "../support/cluster/kind.ts";
import { ipFamilyVariable, proxyModeVariable, variantOfCluster } from "../support/cluster/variant.ts";

/** Scenarios whose steady traffic measures a kill window, a failover window and recovery from a node fault. */
export const proxyModeBenchSelection = [
  "features/chaos/pod-kills-under-load.feature",
  "features/chaos/outside-failover.feature",
];

/** The variants compared: both kube-proxy modes (the matrix's default), each on IPv4 and on dual-stack. */
const benchIpFamilies = "ipv4,dual";

/**
 * Runs the selection on every variant and returns the side-by-side table (Markdown lines) and each run's time. The
 * clusters the run had to make are taken down after it (their nodes would take cores from whatever runs next).
 */
export async function benchProxyModes(out = "reports/bench-proxy-modes"): Promise<string[]> {
  const clustersBefore = new Set(await listKindClusters());
  const started = performance.now();
  const matrix = spawnSync(
    process.execPath,
    ["bin/kubequake.js", "matrix", ...proxyModeBenchSelection, "--ip-families", benchIpFamilies, "--out", out],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const took = ((performance.now() - started) / 1000).toFixed(0);
  // The matrix logs its summary line to stderr (progress goes there; stdout is the table).
  const runs =
    /\[matrix\].*?((?:[\w-]+ exit \d+ \(\d+ s\)(?:, )?)+)/.exec(matrix.stderr.toString())?.[1] ?? "no summary";
  let table: string;
  try {
    table = readFileSync(`${out}/matrix.md`, "utf8");
  } catch {
    table = `no table: kubequake matrix ended with exit code ${matrix.status}\n${matrix.stderr.toString().slice(-2000)}`;
  }
  const made = (await listKindClusters()).filter((cluster) => !clustersBefore.has(cluster));
  for (const cluster of made) {
    const variant = variantOfCluster(cluster);
    if (!variant) continue; // not one the matrix makes
    spawnSync(process.execPath, ["bin/kubequake.js", "cluster", "down"], {
      stdio: "ignore",
      env: { ...process.env, [proxyModeVariable]: variant.mode, [ipFamilyVariable]: variant.family },
    });
  }
  return [
    `cluster variants side by side (${proxyModeBenchSelection.join(", ")}; kube-proxy modes × IP families ${benchIpFamilies}): ${runs}; ${took} s in all${made.length > 0 ? `; taken down after: ${made.join(", ")}` : ""}`,
    table,
  ];
}
