// kube-proxy's modes side by side: `kubequake matrix` runs a short smoke on the iptables cluster and on the nftables
// one (created here if missing, then deleted to give the machine back), and joins the reports with the mode as a
// parameter. The nftables cluster must really run kube-proxy in nftables mode (its ConfigMap and its rules in the
// nodes), or the smoke would prove nothing about that mode. The full matrix is the nightly job (`npm run matrix`).
import assert from "node:assert/strict";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { kubeProxyMode } from "../../support/capabilities/discover.ts";
import { connectKube } from "../../support/kube/client.ts";
import { runCommand } from "../../support/process/command.ts";
import { readScenarioOutcomes } from "../../tooling/reports/messages.ts";
import { readSkipReasons } from "../../tooling/reports/skips.ts";
import { runNode } from "./run-cucumber.ts";

const out = "reports/harness/proxy-modes";
const smoke = [
  "features/routing/clusterip-routing.feature",
  "features/coverage/endpoints-and-nodeports.feature:389",
  "features/chaos/pod-kills-under-load.feature:33",
  // kube-proxy stopped: a new Service's requests are refused in iptables mode and dropped in nftables mode.
  "features/chaos/cluster-faults.feature:38",
  "features/chaos/cluster-faults.feature:63",
];
const modeOnly: Record<string, { name: RegExp; reason: RegExp }> = {
  iptables: { name: /^With kube-proxy in nftables mode gone/, reason: /needs kube-proxy in nftables mode/ },
  nftables: { name: /^With kube-proxy gone, existing Services/, reason: /needs kube-proxy in iptables mode/ },
};
const nftablesKubeconfig = join(homedir(), ".kube", "kubequake-nftables.config");

after(async () => {
  // The second cluster's 3 nodes would take cores from every test after this one.
  const down = await runNode(["bin/kubequake.js", "--proxy-mode", "nftables", "cluster", "down"], {});
  assert.equal(down.code, 0, down.output);
  // The kind network is shared: the default cluster's traffic stays sealed.
  assert.match(down.output, /the seal stays: the kind network still serves "kubequake"/);
});

test("the smoke passes on kube-proxy's iptables and nftables modes, and one report compares them", async () => {
  rmSync(out, { recursive: true, force: true });
  const matrix = await runNode(["bin/kubequake.js", "matrix", ...smoke, "--out", out], {});
  assert.equal(matrix.code, 0, `output tail:\n${matrix.output.slice(-4000)}`);

  // The nftables cluster is its own, and kube-proxy really programs nftables there (and no iptables Service chains).
  const kube = await connectKube(nftablesKubeconfig);
  assert.equal(await kubeProxyMode(kube), "nftables");
  const nft = await runCommand(
    "docker",
    ["exec", "kubequake-nftables-worker", "nft", "list", "table", "ip", "kube-proxy"],
    {
      timeoutMs: 30_000,
    },
  );
  assert.match(nft.stdout, /chain services \{/, "kube-proxy's nftables table in the node");
  const iptables = await runCommand("docker", ["exec", "kubequake-nftables-worker", "iptables-save", "-t", "nat"], {
    timeoutMs: 30_000,
  });
  assert.doesNotMatch(iptables.stdout, /KUBE-SERVICES/, "no iptables-mode chains in the nftables cluster's nodes");

  // Each mode ran every smoke scenario and each passed, but the other mode's own, skipped with the reason.
  for (const mode of ["iptables", "nftables"] as const) {
    const outcomes = readScenarioOutcomes(join(out, mode, "cucumber-messages.ndjson"));
    assert.ok(outcomes.length >= 10, `${mode}: ${outcomes.length} scenarios`);
    const other = outcomes.filter((o) => modeOnly[mode]!.name.test(o.name));
    assert.equal(other.length, 1, `${mode}: the other mode's scenario`);
    assert.equal(other[0]!.status, "SKIPPED");
    const why = readSkipReasons(join(out, mode, "cucumber-messages.ndjson")).find((r) => r.name === other[0]!.name);
    assert.match(why?.why ?? "no reason attached", modeOnly[mode]!.reason);
    assert.deepEqual(
      outcomes.filter((o) => o.status !== "PASSED" && o !== other[0]).map((o) => `${o.name}: ${o.status} ${o.message}`),
      [],
      mode,
    );
  }
  // One JUnit report and one Allure result set, the mode in each test's name and parameters.
  const junit = readFileSync(join(out, "junit", "cucumber.xml"), "utf8");
  assert.match(junit, /name="Requests spread across all ready pods \[iptables\]"/);
  assert.match(junit, /name="Requests spread across all ready pods \[nftables\]"/);
  const results = readdirSync(join(out, "allure-results"))
    .filter((f) => f.endsWith("-result.json"))
    .map((f) => JSON.parse(readFileSync(join(out, "allure-results", f), "utf8")) as { parameters: unknown[] });
  assert.ok(results.some((r) => JSON.stringify(r.parameters).includes('"value":"nftables"')));
  assert.ok(results.some((r) => JSON.stringify(r.parameters).includes('"value":"iptables"')));
  // The side-by-side table: the measured kill window under each mode.
  const table = readFileSync(join(out, "matrix.md"), "utf8");
  assert.match(table, /Every scenario had the same result on every variant\./);
  assert.match(table, /Scenarios for some variants only \(skipped on the others by their @needs tags[^)]*\): 2\./);
  assert.match(
    table,
    /\| features\/chaos\/pod-kills-under-load\.feature: A backend that exits at once on SIGTERM [^|]*\| passed · \d+\/\d+ · (?:[\d.]+ s|none) · [\d.]+ ms \| passed · \d+\/\d+ · (?:[\d.]+ s|none) · [\d.]+ ms \|/,
  );
  console.log(table);
});
