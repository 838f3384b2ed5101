// The generic object and traffic checks catch what they are for: fixture scenarios that must fail (a field wait that
// never holds, an expected rejection that does not come or says something else, a misspelt field, an unknown kind,
// a Service that still answers (a client pod's or a hostNetwork client's requests), traffic from a named pod that
// reaches other pods, a NodePort placeholder for a port the Service lacks, a rewritten client address, a NodePort out
// of the expected range, EndpointSlices with another port than expected, left behind or disagreeing with their
// Endpoints, a hand-made slice naming a pod that does not exist, a resource discovery
// does not list, a labelled count that is off, a status written past the /status subresource, a watch event that
// never comes), each with its message checked.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readScenarioOutcomes } from "../../tooling/reports/messages.ts";
import { cucumberBin, liveNamespacesOfRun, newRunId, runNode } from "./run-cucumber.ts";

const mustFail: Record<string, RegExp> = {
  "A field that never takes the expected value":
    /timed out after 2\.\d s waiting until Service kq-[a-z0-9-]+\/web has `spec\.type` equal to "NodePort"; last observed: ClusterIP/,
  "A rejection that the API server does not make":
    /expected the API server to reject the manifest at test\/fixtures\/objects-failing\/objects-must-fail\.feature:\d+ with "invalid", but it accepted it/,
  "A rejection with another message than expected":
    /with a message containing "already allocated", but it said: .*provided port is not in the valid range/,
  "A misspelt field in a manifest":
    /objects-must-fail\.feature:\d+: the API server rejected Service "typo" in kq-[a-z0-9-]+: .*\.spec\.selectr: field not declared in schema/,
  "A kind kubequake does not know": /the kind "Widget" is not one kubequake knows by name \(known: Service, Pod/,
  "A Service that still answers when it should not":
    /timed out after 3\.\d s waiting until none of 5 requests to http:\/\/web succeeds; last observed: 5 answered \(web-/,
  "A Service that routes a named pod's requests to other pods than the backend's":
    /timed out after \d+\.\d s waiting until 5 requests from the pod "c" to http:\/\/\{clusterIP:other\}:80 are answered by exactly the ready pods of web; last observed: .*other-[a-z0-9-]+.*\(expected \["web-/,
  "A NodePort placeholder naming a port the Service does not have":
    /udp:\/\/\{nodeIP:kubequake-worker\}:\{nodePort:web:udp\}: the Service "web" has no port named "udp"\n {2}what to do: its ports are: "[^"]*" \(TCP 80\)\./,
  "A Service that still answers a hostNetwork client when it should not":
    /timed out after \d+\.\d s waiting until none of 5 requests from a hostNetwork client on node "kubequake-worker" to http:\/\/\{clusterIP:web\}:80 succeeds; last observed: 5 answered \(web-/,
  "Hairpin traffic is masqueraded, so the client address is not the pod's own":
    /expected every answer to web-[a-z0-9-]+ \(10\.244\.\d+\.\d+\) to see the address it was sent from as the client, but 5 of 5 did not: 10\.244\.\d+\.\d+ \(sent from 10\.244\.\d+\.\d+\)/,
  "EndpointSlices that list another port than the table says":
    /timed out after 2\.\d s waiting until the EndpointSlices and Endpoints of Service one list exactly pod1 http=9090\/TCP, in EndpointSlices made by the EndpointSlice controller .*; last observed: EndpointSlices one-[a-z0-9]+ \[http=8080; 1 endpoint\(s\)\]: pod1 http=8080\/TCP; Endpoints: pod1 http=8080\/TCP; problems: the EndpointSlices list pod1 http=8080\/TCP; the Endpoints list pod1 http=8080\/TCP/,
  "EndpointSlices that stay while their Service does":
    /timed out after 2\.\d s waiting until no EndpointSlice of Service kept is left; last observed: left: kept-[a-z0-9]+/,
  "A hand-made EndpointSlice naming a pod the scenario does not have":
    /objects-must-fail\.feature:\d+: \{podIP:nobody\}: this scenario has no pod nobody\n {2}what to do: create the pod in an earlier step/,
  "An allocated NodePort outside the range the step expects":
    /waiting until Service kq-[a-z0-9-]+\/np has `spec\.ports\[0\]\.nodePort` between 1 and 1024; last observed: 3\d{4}/,
  "EndpointSlices that hold an address their Endpoints do not":
    /waiting until the EndpointSlices of the Service kq-[a-z0-9-]+\/manual hold exactly the addresses and ports of its Endpoints; last observed: .*Endpoints 10\.244\.250\.10 on port\(s\) 8080; \d EndpointSlice\(s\), IPv4: (10\.244\.250\.10, )?10\.244\.250\.99 on port\(s\) 8080/,
  "A resource the API server does not serve":
    /expected the API server to serve endpointslicez in discovery\.k8s\.io\/v1, but \/apis\/discovery\.k8s\.io\/v1 lists endpointslices/,
  "A labelled count that is off by one":
    /expected 2 ConfigMap labelled count=me in namespace kq-[a-z0-9-]+, found 1 \(kq-[a-z0-9-]+\/counted\)/,
  "A status written through the Service itself instead of its status subresource":
    /waiting until Service kq-[a-z0-9-]+\/status-test has `status\.loadBalancer\.ingress\[0\]\.ip` equal to "203\.0\.113\.1"; last observed: \(not set\)/,
  "A watch event that never comes":
    /waiting until the watch on ConfigMap labelled watched=yes in kq-[a-z0-9-]+ delivered MODIFIED of ConfigMap "watched" with `data\.a` equal to "c"; last observed: ADDED ConfigMap watched \(b\)/,
};

test("object and traffic checks that must fail do fail, each with the expected message", async () => {
  const runId = newRunId("ofx");
  const run = await runNode([cucumberBin, "-p", "fixtures", "test/fixtures/objects-failing"], {
    KUBEQUAKE_RUN_ID: runId,
    KUBEQUAKE_REPORTS: "reports/harness/objects",
  });
  assert.equal(run.code, 1, `cucumber should exit 1 when scenarios fail; output:\n${run.output.slice(-2000)}`);
  const outcomes = readScenarioOutcomes("reports/harness/objects/fixtures/cucumber-messages.ndjson");
  assert.deepEqual(outcomes.map((o) => o.name).sort(), Object.keys(mustFail).sort());
  for (const outcome of outcomes) {
    assert.equal(outcome.status, "FAILED", `${outcome.name}: status`);
    assert.match(outcome.message, mustFail[outcome.name]!, `${outcome.name}: message`);
  }
  assert.deepEqual(await liveNamespacesOfRun(runId), [], "every scenario namespace is deleted after the run");
});
