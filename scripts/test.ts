// `npm test`: lint and types, unit tests, then the end-to-end tests against a real kind cluster that this script
// creates or reuses (`kubequake cluster up`), then the harness's own feature runs. Ends with "N passed, N failed".
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { XMLParser } from "fast-xml-parser";
import { kubeconfigPath } from "../support/cluster/kind.ts";
import { connectKube } from "../support/kube/client.ts";
import { clusterNetworks } from "../support/kube/networks.ts";
import {
  accountStoppedPackets,
  dualStackNetworksFile,
  followStoppedPackets,
  hostResolvers,
  kernelLogNow,
  readSeal,
  type StoppedPacket,
  sealTestDestinationsFile,
} from "../tooling/cluster-build/seal.ts";

interface Tally {
  passed: number;
  failed: number;
}

const total: Tally = { passed: 0, failed: 0 };
const failures: string[] = [];
mkdirSync("reports/junit", { recursive: true });

function run(command: string, args: readonly string[], cwd = "."): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk);
    });
    child.on("error", (error) => resolve({ code: 127, output: `${output}\n${error.message}` }));
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

function record(name: string, tally: Tally, exitCode: number) {
  // A runner that failed without reporting a failed test (crash, compile error) still counts as one failure.
  const failed = tally.failed === 0 && exitCode !== 0 ? 1 : tally.failed;
  total.passed += tally.passed;
  total.failed += failed;
  if (failed > 0) failures.push(`${name}: ${failed} failed`);
  console.log(`\n== ${name}: ${tally.passed} passed, ${failed} failed\n`);
}

async function check(name: string, command: string, args: readonly string[]) {
  console.log(`\n== ${name}: ${command} ${args.join(" ")}`);
  const { code } = await run(command, args);
  record(name, { passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1 }, code);
  return code === 0;
}

async function nodeTests(name: string, pattern: string) {
  console.log(`\n== ${name}: node --test ${pattern}`);
  const junit = `reports/junit/${name}.xml`;
  const { code } = await run(process.execPath, [
    "--test",
    "--test-concurrency=1",
    // A test file whose process stays alive after its tests (a watch left open) must not hang the whole run.
    "--test-force-exit",
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    "--test-reporter=junit",
    `--test-reporter-destination=${junit}`,
    pattern,
  ]);
  record(name, junitTally(readFileOr(junit)), code);
}

/** Passed and failed test cases of a JUnit XML report (node --test's junit reporter nests suites in suites). */
function junitTally(xml: string): Tally {
  const tally: Tally = { passed: 0, failed: 0 };
  if (xml.trim() === "") return tally;
  const parser = new XMLParser({
    ignoreAttributes: true,
    isArray: (name) => name === "testsuite" || name === "testcase",
  });
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      if (key !== "testcase") {
        for (const child of Array.isArray(value) ? value : [value]) visit(child);
        continue;
      }
      for (const testCase of value as unknown[]) {
        const failed = typeof testCase === "object" && testCase !== null && "failure" in testCase;
        if (failed) tally.failed += 1;
        else tally.passed += 1;
      }
    }
  };
  visit(parser.parse(xml));
  return tally;
}

async function goTests(name: string, dir: string) {
  console.log(`\n== ${name}: go vet && go test ./... (${dir})`);
  const vet = await run("go", ["vet", "./..."], dir);
  const { code, output } = await run("go", ["test", "-count=1", "-v", "./..."], dir);
  const passed = (output.match(/^\s*--- PASS/gm) ?? []).length;
  const failed = (output.match(/^\s*--- FAIL/gm) ?? []).length + (vet.code === 0 ? 0 : 1);
  record(name, { passed, failed }, code || vet.code);
}

function readFileOr(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/** Where the seal's counter and the kernel log stood when this run began, for the leak accounting at the end. */
const logSecondsAtStart = await kernelLogNow();
const sealLog = followStoppedPackets(logSecondsAtStart);
const sealAtStart = {
  rejected: await readSeal().then(
    (s) => s.rejected,
    () => 0,
  ),
};

/**
 * Every packet the network seal stopped during this run, sorted by who sent it: the seal test's own probes, probes
 * to Service IPs without rules (a test checking a Service is down), and anything else, which is a leak the seal
 * caught and fails this check with where it came from and where it was going.
 */
async function accountForTheSeal() {
  console.log("\n== network-seal: packets stopped at the host during this run");
  const seal = await readSeal();
  const packets = sealLog.stop();
  const expected = JSON.parse(readFileOr(sealTestDestinationsFile) || "[]") as string[];
  const networks = await connectKube(kubeconfigPath).then(clusterNetworks, () => "");
  const [podCidr = "10.244.0.0/16", serviceCidr = "10.96.0.0/16"] = networks.split(",");
  // The dual-stack cluster of test/harness/dual-stack.test.ts is gone by now; it wrote down its ranges.
  const dual = JSON.parse(readFileOr(dualStackNetworksFile) || "{}") as {
    podCidrs?: string[];
    serviceCidrs?: string[];
  };
  const serviceCidrs = [serviceCidr, ...(dual.serviceCidrs ?? [])];
  const podCidrs = [podCidr, ...(dual.podCidrs ?? [])];
  const resolvers = hostResolvers();
  const account = accountStoppedPackets(packets, expected, serviceCidrs, resolvers, podCidrs);
  const stopped = seal.rejected - sealAtStart.rejected;
  console.log(
    `seal ${seal.installed ? "in place" : "MISSING"} on ${seal.network?.bridge ?? "no kind network"}: ${stopped} packet(s) stopped during this run (${packets.length} logged; the log is rate-limited, the counter is exact)`,
  );
  console.log(`  sent on purpose by the seal test (${expected.join(", ") || "none"}): ${account.byTheSealTest}`);
  console.log(
    `  to Service IPs without rules (${serviceCidrs.join(", ")}; tests that check a Service is down, or a new ClusterIP kube-proxy has not programmed yet): ${account.toServiceIPs}`,
  );
  const show = (packets: readonly StoppedPacket[]) => {
    for (const packet of packets.slice(0, 20)) {
      console.log(
        `    ${packet.protocol} ${packet.source} → ${packet.destination}:${packet.destinationPort} at ${packet.atUptimeSeconds.toFixed(1)} s (kernel log clock)`,
      );
    }
  };
  console.log(
    `  outside-name lookups that Docker's embedded DNS forwarded from a node to the host's resolvers (${resolvers.join(", ") || "none"}), refused: ${account.outsideLookups.length}`,
  );
  show(account.outsideLookups);
  console.log(
    `  to pod IPs (${podCidrs.join(", ")}) before flannel routed that pod's node, in the seconds after nodes start: ${account.toPodIPs.length}`,
  );
  show(account.toPodIPs);
  console.log(`  unexpected: ${account.unexpected.length}`);
  show(account.unexpected);
  const ok = seal.installed && account.unexpected.length === 0;
  record("network-seal", { passed: ok ? 1 : 0, failed: ok ? 0 : 1 }, 0);
}

/**
 * Kubernetes' own [Conformance] Services + DNS tests (`kubequake conformance`): each of the 25 counts once. A skip
 * counts as a failure, since a conformance test must run on a conformant cluster, and so does a test missing from the
 * report. When nothing could run (a build failure, no report) that is one failure with the reason.
 */
async function conformanceTests() {
  console.log("\n== conformance: Kubernetes' e2e.test, [Conformance] Services + DNS (npm run conformance)");
  try {
    const { runConformance } = await import("../tooling/conformance/run.ts");
    const { conformanceSelection } = await import("../tooling/conformance/selections.ts");
    const { formatResultTable, formatTally, progressPrinter } = await import("../tooling/conformance/summary.ts");
    const { createLogger } = await import("../support/log/logger.ts");
    const run = await runConformance({
      selection: conformanceSelection,
      reportsDir: "reports/conformance/conformance",
      summaryJUnitPath: "reports/junit/conformance.xml",
      log: createLogger("conformance"),
      onProgress: progressPrinter((line) => console.log(line)),
      procs: 3,
      timeoutMinutes: 15,
    });
    console.log(formatResultTable(run).join("\n"));
    console.log(formatTally(run));
    for (const result of run.results.filter((r) => r.status !== "passed")) {
      failures.push(`conformance: ${result.status}: ${result.name}${result.reason ? ` (${result.reason})` : ""}`);
    }
    if (run.missing > 0) failures.push(`conformance: ${run.missing} test(s) missing from ${run.junitPath}`);
    record("conformance", { passed: run.passed, failed: run.failed + run.skipped + run.missing }, 0);
  } catch (error) {
    console.log(`conformance tests did not run: ${error instanceof Error ? error.message : String(error)}`);
    record("conformance", { passed: 0, failed: 1 }, 1);
  }
}

await check("lint", "node_modules/.bin/biome", ["check", "."]);
await check("typecheck", "node_modules/.bin/tsc", ["--noEmit", "-p", "."]);
await check("step-catalog", process.execPath, ["bin/kubequake.js", "steps", "--check", "docs/STEPS.md"]);
await check("upstream-coverage", process.execPath, ["scripts/coverage.ts", "--check", "docs/COVERAGE.md"]);
await check("feature-lint", process.execPath, ["bin/kubequake.js", "lint"]);
await goTests("demo-workload", "images/demo");
await nodeTests("unit", "test/unit/**/*.test.ts");
const clusterReady = await check("cluster-up", process.execPath, ["bin/kubequake.js", "cluster", "up"]);
if (clusterReady) {
  await nodeTests("cluster-e2e", "test/cluster/**/*.test.ts");
  await conformanceTests();
  // After the conformance run, which builds e2e.test: the graded list must be the pinned e2e.test's own.
  await check("upstream-list", process.execPath, ["scripts/coverage.ts", "--check-list"]);
  await nodeTests("harness", "test/harness/**/*.test.ts");
  await accountForTheSeal();
} else {
  failures.push("cluster-e2e and harness tests did not run: the cluster could not be brought up (see above)");
  total.failed += 1;
}
if (failures.length > 0) console.log(`failures:\n${failures.map((f) => `  - ${f}`).join("\n")}`);
sealLog.stop(); // if the cluster never came up, the accounting did not run: end the kernel-log follower anyway
console.log(`${total.passed} passed, ${total.failed} failed`);
process.exitCode = total.failed === 0 ? 0 : 1;
