// Every mistake gets a clear answer: CLI mistakes are caught before the cluster is touched (and quickly), and
// scenario mistakes fail with a message that says what was expected, what was seen and what to do — never a raw
// API dump or stack trace — and leak nothing.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readScenarioOutcomes } from "../../tooling/reports/messages.ts";
import { cucumberBin, liveNamespacesOfRun, newRunId, runNode } from "./run-cucumber.ts";

const cliMistakes: { args: string[]; message: RegExp; cwd?: string; exitCode?: number }[] = [
  { args: ["run", "--parallel", "0"], message: /--parallel expects a whole number of workers of at least 1, saw "0"/ },
  {
    args: ["run", "--parallel", "-1"],
    message:
      /run: Option '--parallel' argument is ambiguous\.\n {2}what to do: `npx kubequake run --help` lists the options\./,
    exitCode: 2,
  },
  {
    args: ["run", "--parallel", "two"],
    message: /--parallel expects a whole number of workers of at least 1, saw "two"/,
  },
  { args: ["run", "--tags", "@smoke and"], message: /--tags "@smoke and" is not a tag expression: Expected operand/ },
  { args: ["run", "--tags", "(@a or @b"], message: /--tags "\(@a or @b" is not a tag expression/ },
  { args: ["run", "--tags", "@no-such-tag"], message: /no scenario matches features\/ and the tags @no-such-tag/ },
  { args: ["run", "features/nope.feature"], message: /no such feature file or folder: features\/nope\.feature/ },
  {
    args: ["run", "test/fixtures/malformed"],
    message:
      /test\/fixtures\/malformed\/broken\.feature:5: the feature file does not parse: .*got 'this line is neither a step nor a keyword'/,
  },
  // `run` lints the selected scenarios first: lint's messages, exit code 2, before the cluster.
  {
    args: ["run", "test/fixtures/failing"],
    message:
      /mistake\(s\) in the selected scenarios, found before touching the cluster .*\n[\s\S]*test\/fixtures\/failing\/must-fail\.feature:\d+: no step definition matches this step\n[\s\S]*seen: {5}\w+ the moon turns blue/,
    exitCode: 2,
  },
  {
    args: ["run", "test/fixtures/lint-mistakes/mistakes.feature:6"],
    message:
      /^test\/fixtures\/lint-mistakes\/mistakes\.feature:7: no step definition matches this step\n {4}expected: a phrase from docs\/STEPS\.md; the nearest:\n {6}Given the demo backend runs \{int\} replica\(s\) behind the \{serviceType\} Service \{string\}\n/m,
    exitCode: 2,
  },
  {
    args: ["run", "test/fixtures/lint-mistakes/mistakes.feature:9"],
    message: /"LoadBalancer" is not a \{serviceType\} .*\n {4}expected: one of `ClusterIP`, `NodePort`, `headless`/,
    exitCode: 2,
  },
  {
    args: ["run", "test/fixtures/lint-mistakes/mistakes.feature:13"],
    message:
      /"rebooted" is not a \{nodeFault\} .*\n {4}expected: one of `stopped`, `paused`, `cut off from the other nodes`/,
    exitCode: 2,
  },
  {
    args: ["run", "test/fixtures/lint-mistakes/mistakes.feature:17"],
    message:
      /mistake[\s\S]*mistakes\.feature:16: unknown requirement @needs:gpu[\s\S]*mistakes\.feature:19: "within 0 seconds" gives the check no time at all/m,
    exitCode: 2,
  },
  {
    args: ["run", "test/fixtures/lint-mistakes/mistakes.feature:30"],
    message: /mistakes\.feature:34: the manifest of the step on line 31: the YAML does not parse/,
    exitCode: 2,
  },
  {
    args: ["run", "test/fixtures/lint-mistakes/mistakes.feature:51"],
    message:
      /mistakes\.feature:52: a cluster-wide fault in the scenario "A cluster-wide fault without @serial" \(line 51\), which is not tagged @serial/,
    exitCode: 2,
  },
  {
    args: ["run", "test/fixtures/lint-mistakes/mistakes.feature:73"],
    message:
      /mistake[\s\S]*:75: 1000000 requests is more than one step sends[\s\S]*:76: cannot send 6000 requests\/s[\s\S]*:77: cannot send -5 requests\/s/m,
    exitCode: 2,
  },
  {
    args: ["run", "test/fixtures/lint-mistakes/mistakes.feature:86"],
    message: /mistake[\s\S]*:80: the placeholder <replicas> names no column[\s\S]*:81: "within 0 seconds"/m,
    exitCode: 2,
  },
  { args: ["run", "--name", "^no scenario is called this$"], message: /no scenario matches features\/ and the name/ },
  {
    args: ["run", "features/routing/clusterip-routing.feature:13"],
    message:
      /clusterip-routing\.feature:13 is not the line of a scenario \(line 13 is [^;]*; the next scenario starts at line 14: Scenario: /,
  },
  {
    args: ["run", "--bogus"],
    message: /run: unknown option --bogus\n {2}what to do: `npx kubequake run --help` lists the options\.\n$/,
    exitCode: 2,
  },
  {
    args: ["run", "--paralel", "3"],
    message:
      /^kubequake: run: unknown option --paralel; did you mean --parallel\?\n {2}what to do: `npx kubequake run --help` lists the options\.\n$/,
    exitCode: 2,
  },
  {
    args: ["cluster", "up", "--recrate"],
    message: /cluster: unknown option --recrate; did you mean --recreate\?/,
    exitCode: 2,
  },
  { args: ["run", "--shard", "3/2"], message: /--shard expects I\/N with 1 ≤ I ≤ N \(whole numbers\), saw "3\/2"/ },
  {
    args: ["run", "--kubeconfig", "/nonexistent/kubeconfig"],
    message: /no kubeconfig at \/nonexistent\/kubeconfig \(from --kubeconfig\)\n {2}what to do: give the path/,
  },
  {
    args: ["run", "--context", "no-such-context"],
    message: /the context "no-such-context" \(--context\) is not in .*\n {2}what to do: use one of: .*kind-kubequake/,
  },
  {
    args: ["frobnicate"],
    message: /unknown command "frobnicate"; expected run, matrix, cluster, .*\bor help/,
  },
  {
    args: ["--proxy-mode", "ipvs", "cluster", "up"],
    message:
      /^kubequake: --proxy-mode: kube-proxy mode "ipvs" is not one kubequake builds \(expected iptables or nftables\)\n {2}what to do: give --proxy-mode iptables or --proxy-mode nftables \(IPVS is not offered: this machine's kernel has no IPVS\)\.\n$/,
    exitCode: 2,
  },
  { args: ["run", "--proxy-mode"], message: /^kubequake: --proxy-mode needs a value\n/, exitCode: 2 },
  {
    args: ["--ip-family", "ipv5", "cluster", "up"],
    message:
      /^kubequake: --ip-family: IP family "ipv5" is not one kubequake builds \(expected ipv4, dual, ipv6\)\n {2}what to do: give --ip-family ipv4, --ip-family dual or --ip-family ipv6\.\n$/,
    exitCode: 2,
  },
  { args: ["cluster", "status", "--ip-family="], message: /^kubequake: --ip-family needs a value\n/, exitCode: 2 },
  {
    args: ["matrix", "--proxy-modes", "nftables,nftables"],
    message: /--proxy-modes nftables,nftables: a mode is named twice/,
    exitCode: 2,
  },
  { args: ["matrix", "--proxy-modes", "iptables,ipvs"], message: /--proxy-modes: kube-proxy mode "ipvs"/, exitCode: 2 },
  { args: ["cluster", "sideways"], message: /unknown cluster subcommand "sideways"; expected up, down or status/ },
  {
    args: ["cluster", "up", "--kubernetes-version", "v1.99.0"],
    message: /Kubernetes v1\.99\.0 is not pinned: .*versions\.env pins KUBERNETES_VERSION=v1\.34\.4/,
  },
];

for (const mistake of cliMistakes) {
  const exitCode = mistake.exitCode ?? 1;
  test(`kubequake ${mistake.args.join(" ")}: a clear error, exit ${exitCode}, before the cluster is touched`, async () => {
    const started = performance.now();
    // --no-cluster-up too: the check must come first anyway, and a cluster up would hide that it did not.
    const args = mistake.args[0] === "run" ? [...mistake.args, "--no-cluster-up"] : mistake.args;
    const run = await runNode(["bin/kubequake.js", ...args], {});
    const seconds = (performance.now() - started) / 1000;
    assert.equal(run.code, exitCode, `exit code; output:\n${run.output}`);
    assert.match(run.output, mistake.message);
    assert.doesNotMatch(run.output, /^\s+at .*\(.*:\d+:\d+\)$/m, "no stack trace");
    assert.doesNotMatch(run.output, /\[cluster\]|cluster: context/, "the cluster was not touched");
    assert.doesNotMatch(run.output, /^Usage:/m, "not the whole help");
    // `run` answers after cucumber's dry run and lint (~5 s on a quiet machine; 10-40 s measured while other runs
    // shared the 2 cores): the bound catches a run that went on to the cluster or hung, not a slow machine.
    assert.ok(seconds < (mistake.args[0] === "run" ? 60 : 10), `answered in ${seconds.toFixed(1)} s`);
  });
}

/** `kubequake lint` on test/fixtures/lint-mistakes: every mistake there, each with file:line, expected and seen. */
const lintMistakes: RegExp[] = [
  /mistakes\.feature:3: unknown tag @nightly\n {4}expected: one of @serial, .*@epic:…/,
  /mistakes\.feature:7: no step definition matches this step\n {4}expected: a phrase from docs\/STEPS\.md; the nearest:\n {6}Given the demo backend runs \{int\} replica\(s\) behind the \{serviceType\} Service \{string\}\n[\s\S]*? {4}seen: {5}Given the demo backend run 2 replicas/,
  /mistakes\.feature:10: "LoadBalancer" is not a \{serviceType\} .*\n {4}expected: one of `ClusterIP`, `NodePort`, `headless`/,
  /mistakes\.feature:14: "rebooted" is not a \{nodeFault\} .*\n {4}expected: one of `stopped`, `paused`, `cut off from the other nodes`/,
  /mistakes\.feature:16: unknown requirement @needs:gpu\n {4}expected: @needs:nodes>=N, @needs:loadbalancer, @needs:node-chaos, @needs:proxy-mode=MODE, @needs:ipv6, @needs:ipv4 or @needs:outside-clients/,
  /mistakes\.feature:16: @upstream:basic-endpoints names no upstream test in tooling\/coverage\/grades\.yaml\n {4}expected: an id from that list, such as @upstream:basic-endpoint,/,
  /mistakes\.feature:19: "within 0 seconds" gives the check no time at all\n {4}expected: a time budget above 0/,
  /mistakes\.feature:24: the manifest of the step on line 22: an object without metadata\.name\n {4}expected: apiVersion, kind and metadata\.name on every object\n {4}seen: {5}apiVersion: v1, kind: ConfigMap, metadata\.name: \(none\)/,
  /mistakes\.feature:34: the manifest of the step on line 31: the YAML does not parse: Nested mappings/,
  /mistakes\.feature:39: the manifest file features\/manifests\/no-such-file\.yaml does not exist/,
  /mistakes\.feature:45: 0 pods: the step would act on no pod, and the checks after it would have nothing to judge\n {4}expected: 1 pod or more\n {4}seen: {5}When 0 pods of "web" are killed every 5 seconds, 2 times/,
  /mistakes\.feature:47: 150% is not a percentage: a share lies from 0% to 100%\n {4}expected: a percentage from 0 to 100/,
  /mistakes\.feature:48: p0 is not a percentile: a percentile is a whole number from p1 to p100 \(p100 is the slowest request\)\n {4}expected: a percentile from p1 to p100/,
  /mistakes\.feature:52: a cluster-wide fault in the scenario "A cluster-wide fault without @serial" \(line 51\), which is not tagged @serial: .*\n {4}expected: the scenario \(or its Feature\) tagged @serial \(and @chaos\): it then runs alone\n {4}seen: {5}When CoreDNS is down/,
  /mistakes\.feature:57: the manifest of the step on line 55: Kubernetes v1\.34\.4 serves no Deployment in apps\/v2\n {4}expected: apiVersion apps\/v1 for a Deployment/,
  /mistakes\.feature:61: the manifest of the step on line 55: metadata\.namespace is set, but kubequake assigns each scenario its own namespace .*\n {4}expected: no metadata\.namespace.*\n {4}seen: {5}namespace: default/,
  /mistakes\.feature:68: the manifest of the step on line 65: a ClusterRole is cluster-scoped: .*\n {4}expected: a namespaced kind/,
  /mistakes\.feature:75: 1000000 requests is more than one step sends: a client sends between 1 and 100000 requests per step \(the prober keeps every result in memory until it answers\)\n {4}expected: ask for at most 100000 requests/,
  /mistakes\.feature:76: cannot send 6000 requests\/s from 1 client\(s\): each client sends a whole number of requests\/s between 1 and 5000\n {4}expected: ask for between 1 and 5000 requests per second/,
  /mistakes\.feature:77: cannot send -5 requests\/s from 1 client\(s\)/,
  /mistakes\.feature:80: the placeholder <replicas> names no column of the Examples at test\/fixtures\/lint-mistakes\/mistakes\.feature:83\n {4}expected: a column "replicas" in that Examples table, or a placeholder named after one of its columns: <replica>, <seconds>\n {4}seen: {5}Given the demo backend runs <replicas> replicas/,
  /mistakes\.feature:81: "within 0 seconds" gives the check no time at all/,
  /kubequake lint: 1 feature file\(s\), \d+ step definition\(s\): 22 error\(s\), 0 warning\(s\) in \d+\.\d s\n$/,
];

test("kubequake lint finds every mistake of test/fixtures/lint-mistakes without a cluster, quickly", async () => {
  const started = performance.now();
  const run = await runNode(["bin/kubequake.js", "lint", "test/fixtures/lint-mistakes"], {});
  const seconds = (performance.now() - started) / 1000;
  assert.equal(run.code, 1, run.output);
  for (const message of lintMistakes) assert.match(run.output, message);
  assert.doesNotMatch(run.output, /^\s+at .*\(.*:\d+:\d+\)$/m, "no stack trace");
  // ~2 s on a quiet machine; the bound leaves room for other runs on the same 2 cores (up to 15 s measured).
  assert.ok(seconds < 30, `answered in ${seconds.toFixed(1)} s`);
});

test("kubequake lint passes on every feature and on the fixtures that are meant to be well-formed", async () => {
  const run = await runNode(["bin/kubequake.js", "lint"], {});
  assert.equal(run.code, 0, run.output);
  const fixtures = ["chaos-failing", "interrupt", "needs", "passing"].map((d) => `test/fixtures/${d}`);
  const clean = await runNode(["bin/kubequake.js", "lint", ...fixtures], {});
  assert.equal(clean.code, 0, clean.output);
  assert.match(clean.output, /0 error\(s\), 0 warning\(s\)/);
});

const scenarioMistakes: Record<string, RegExp> = {
  "A negative replica count":
    /"web" cannot run -1 replicas: a replica count is a whole number of 0 or more\n {2}what to do:/,
  "A replica count far beyond the machine":
    /"web" asks for 500 replicas, more than kubequake allows without an explicit opt-in \(50\)\n {2}what to do: if you mean it, set KUBEQUAKE_MAX_REPLICAS=500/,
  "Scaling to a negative count": /"web" cannot run -2 replicas/,
  "A node fault in a scenario that is not @serial":
    /"the node \{node\} is \{nodeFault\}" breaks more than the scenario's namespace \(a node fault\), but the scenario is not tagged @serial.*\n {2}what to do: tag the scenario @serial/,
  "A node that does not exist":
    /there is no node "kubequake-worker9" in the cluster \(nodes: kubequake-control-plane \(control plane\), kubequake-worker, kubequake-worker2\)\n {2}what to do: use one of the names above/,
  "Killing more pods than are ready":
    /cannot SIGKILL 2 pod\(s\) of "web": it has only 1 ready pod\(s\) \(web-[a-z0-9]+-[a-z0-9]+\)\n {2}what to do: SIGKILL at most 1 pod\(s\)/,
  "No latency at all":
    /cannot add 0 ms of latency\n {2}what to do: give a whole number of milliseconds from 1 to 60000/,
  "The same Service declared twice":
    /the API server rejected Deployment "web" in kq-[a-z0-9-]+: HTTP 409: deployments\.apps "web" already exists\n {2}what to do: a Deployment of that name already exists in this scenario/,
  "A manifest for another namespace":
    /mistakes\.feature:\d+: ConfigMap "settings" asks for namespace "default", but a scenario's objects go in its own namespace \(kq-[a-z0-9-]+\)\n {2}what to do: remove metadata\.namespace/,
  "A cluster-scoped manifest":
    /mistakes\.feature:\d+: ClusterRole "reader" is cluster-scoped; .*\n {2}what to do: use a namespaced kind/,
  "Steady traffic of no requests":
    /cannot send 0 requests\/s from 1 client\(s\): each client sends a whole number of requests\/s between 1 and 5000, so nothing was sent/,
  "Dropping more packets than there are":
    /cannot drop 150% of packets\n {2}what to do: give a share between 1 and 100 percent/,
  "Steady traffic from outside to the NodePort of a ClusterIP Service":
    /the Service "web" has no NodePort \(type ClusterIP\)\n {2}what to do: make it a NodePort or LoadBalancer Service, e\.g\. Given the demo backend runs 2 replicas behind the NodePort Service "web"\./,
  "A NodePort placeholder for a Service that has no NodePort":
    /http:\/\/\{nodeIP:kubequake-worker\}:\{nodePort:plain\}: the port 80\/TCP of the Service "plain" has no NodePort \(type ClusterIP\)\n {2}what to do: make it a NodePort or LoadBalancer Service first/,
  "Comparing with a load-balancer address no step saw":
    /no earlier step of this scenario saw the Service web get a load-balancer address, so there is none to compare with\n {2}what to do: check it first/,
  "The previous NodePort of a Service that still has it":
    /the Service "web" still has the NodePort \d+ a step saw, so it has no previous one\n {2}what to do: change it first/,
  "Stopping more than all the pods":
    /cannot SIGSTOP 150% of the pods of "web": a share of pods is a whole percentage from 1% to 100%\n {2}what to do: give a percentage from 1 to 100/,
  "SIGTERM for a backend with no ready pod":
    /cannot SIGTERM 1 random pod\(s\) of "web": it has no ready pod\n {2}what to do: wait until pods of "web" are ready first/,
  "Burning more CPU cores than a pod's stress allows":
    /cannot burn 9 CPU core\(s\): the busy loops per pod are a whole number from 1 to 4\n {2}what to do: give 1 to 4 cores/,
  "Resetting no connections":
    /cannot reset 0% of the connections to the Service "web": a share of connections is a whole percentage from 1% to 100%\n {2}what to do: give a percentage from 1 to 100/,
  "CoreDNS failing for a Service that does not exist":
    /there is no Service "nope" in the scenario's namespace, so there is no name of it for CoreDNS to fail\n {2}what to do: create it first/,
  "Placing pods on a node they may not run on":
    /the pods of "web" cannot all run on the node kubequake-control-plane: the scheduler found no node for web-\S+ \(0\/3 nodes are available: .*untolerated taint.*\)\n {2}what to do: pick a node the pods may run on/,
  "A client pod bound to a node the cluster does not have":
    /there is no node "kubequake-worker9" in the cluster \(nodes: kubequake-control-plane \(control plane\), kubequake-worker, kubequake-worker2\)\n {2}what to do: use one of the names above/,
  "Failing answers with a success status":
    /cannot answer with HTTP 200: the fault makes HTTP errors, statuses from 400 to 599\n {2}what to do: give an error status, e\.g\. 503 or 500\./,
  "Restoring a steady state that was never declared":
    /no steady state was declared in this scenario, so there is nothing to restore\n {2}what to do: declare it before the chaos/,
};

test("scenario mistakes fail with clear messages, no stack trace, and leak no namespace", async () => {
  const runId = newRunId("bad");
  const run = await runNode([cucumberBin, "-p", "fixtures", "test/fixtures/bad-input"], {
    KUBEQUAKE_RUN_ID: runId,
    KUBEQUAKE_REPORTS: "reports/harness/bad-input",
  });
  assert.equal(run.code, 1, run.output.slice(-2000));
  const outcomes = readScenarioOutcomes("reports/harness/bad-input/fixtures/cucumber-messages.ndjson");
  assert.deepEqual(outcomes.map((o) => o.name).sort(), Object.keys(scenarioMistakes).sort());
  for (const outcome of outcomes) {
    assert.equal(outcome.status, "FAILED", outcome.name);
    assert.match(outcome.message, scenarioMistakes[outcome.name]!, outcome.name);
    assert.doesNotMatch(outcome.message, /^\s+at .*:\d+:\d+\)?$/m, `${outcome.name}: no stack trace`);
    assert.doesNotMatch(outcome.message, /HTTP-Code|Headers:/, `${outcome.name}: no raw API dump`);
  }
  assert.deepEqual(await liveNamespacesOfRun(runId), [], "every scenario namespace is deleted after the run");
});
