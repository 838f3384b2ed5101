// kube-proxy's modes side by side (part of `npm run bench`): the same chaos scenarios on the iptables and the
// nftables cluster, one after another (`kubequake matrix`), and the figures their steady traffic measured.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** Scenarios whose steady traffic measures a kill window, a failover window and recovery from a node fault. */
export const proxyModeBenchSelection = [
  "features/chaos/pod-kills-under-load.feature",
  "features/chaos/outside-failover.feature",
];

/** Runs the selection on every proxy mode and returns the side-by-side table (Markdown lines) and each run's time. */
export function benchProxyModes(out = "reports/bench-proxy-modes"): string[] {
  const started = performance.now();
  const matrix = spawnSync(process.execPath, ["bin/kubequake.js", "matrix", ...proxyModeBenchSelection, "--out", out], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const took = ((performance.now() - started) / 1000).toFixed(0);
  const runs = /\[matrix\].*?((?:\w+ exit \d+ \(\d+ s\)(?:, )?)+)/.exec(matrix.stdout.toString())?.[1] ?? "no summary";
  let table: string;
  try {
    table = readFileSync(`${out}/matrix.md`, "utf8");
  } catch {
    table = `no table: kubequake matrix ended with exit code ${matrix.status}\n${matrix.stderr.toString().slice(-2000)}`;
  }
  return [`kube-proxy modes side by side (${proxyModeBenchSelection.join(", ")}): ${runs}; ${took} s in all`, table];
}
