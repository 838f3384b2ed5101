import assert from "node:assert/strict";
import { test } from "node:test";
import type { V1Node, V1Service } from "@kubernetes/client-node";
import { type EndpointWatcher, endpointWatchersSlot } from "../../support/endpoints/watcher.ts";
import { UserError } from "../../support/errors/user-error.ts";
import type { ScenarioContext } from "../../support/scenario/context.ts";
import { expandAddresses, recordDeletedService } from "../../support/traffic/addresses.ts";
import { fakeScenario } from "./fake-scenario.ts";

const nodes: V1Node[] = [
  { metadata: { name: "kubequake-worker" }, status: { addresses: [{ type: "InternalIP", address: "172.18.0.3" }] } },
];

/** A scenario whose cluster holds `services` (by name) and one node; enough for the placeholders. */
function scenarioWith(services: Record<string, V1Service>): ScenarioContext {
  const missing = () => Promise.reject(new Error("HTTP-Code: 404"));
  const scenario = fakeScenario({
    name: "kq-test",
    kube: {
      core: {
        readNode: ({ name }: { name: string }) => {
          const node = nodes.find((n) => n.metadata?.name === name);
          return node ? Promise.resolve(node) : missing();
        },
        listNode: () => Promise.resolve({ items: nodes }),
        readNamespacedService: ({ name }: { name: string }) => {
          const service = services[name];
          return service ? Promise.resolve(service) : missing();
        },
      },
    },
  });
  // The Services the scenario made are the ones it watches.
  const watchers = scenario.slot(endpointWatchersSlot);
  for (const name of Object.keys(services)) watchers.set(name, {} as EndpointWatcher);
  return scenario;
}

const dual: V1Service = {
  metadata: { name: "dual" },
  spec: {
    type: "NodePort",
    clusterIP: "10.96.7.7",
    ports: [
      { name: "tcp", port: 80, protocol: "TCP", nodePort: 31001 },
      { name: "udp", port: 80, protocol: "UDP", nodePort: 31002 },
    ],
  },
};
const np: V1Service = {
  metadata: { name: "np" },
  spec: { type: "NodePort", clusterIP: "10.96.8.8", ports: [{ name: "http", port: 80, nodePort: 30080 }] },
};
const plain: V1Service = { metadata: { name: "plain" }, spec: { clusterIP: "10.96.9.9", ports: [{ port: 80 }] } };

test("placeholders stand for a node's IP, a Service's ClusterIP and its allocated NodePorts", async () => {
  const scenario = scenarioWith({ dual, np, plain });
  assert.equal(
    await expandAddresses(scenario, "http://{nodeIP:kubequake-worker}:{nodePort:np}/"),
    "http://172.18.0.3:30080/",
  );
  assert.equal(
    await expandAddresses(scenario, "udp://{nodeIP:kubequake-worker}:{nodePort:dual:udp}"),
    "udp://172.18.0.3:31002",
  );
  assert.equal(await expandAddresses(scenario, "http://{clusterIP:plain}"), "http://10.96.9.9");
  assert.equal(await expandAddresses(scenario, "http://web"), "http://web");
});

test("a deleted Service's ClusterIP is the one it had, only if this scenario deleted it", async () => {
  const scenario = scenarioWith({});
  await assert.rejects(expandAddresses(scenario, "http://{clusterIP:plain}"), UserError);
  recordDeletedService(scenario, plain);
  assert.equal(await expandAddresses(scenario, "http://{clusterIP:plain}"), "http://10.96.9.9");
  // A live Service of that name (recreated) wins over the address the deleted one had.
  const recreated = scenarioWith({ plain: { ...plain, spec: { ...plain.spec, clusterIP: "10.96.1.1" } } });
  recordDeletedService(recreated, plain);
  assert.equal(await expandAddresses(recreated, "http://{clusterIP:plain}"), "http://10.96.1.1");
});

test("a placeholder that names nothing, or does not say which port, is the user's mistake", async () => {
  const scenario = scenarioWith({ dual, np, plain });
  const mistake = async (url: string, message: RegExp) => {
    await assert.rejects(expandAddresses(scenario, url), (error: unknown) => {
      assert.ok(error instanceof UserError, `${url}: ${error}`);
      assert.match(error.message, message);
      return true;
    });
  };
  await mistake("http://{nodeIP:nowhere}", /no node "nowhere".*use one of: kubequake-worker/s);
  await mistake(
    "http://10.0.0.1:{nodePort:dual}",
    /has 2 ports \("tcp" \(TCP 80\), "udp" \(UDP 80\)\).*\{nodePort:dual:tcp\}/s,
  );
  await mistake("http://10.0.0.1:{nodePort:dual:sctp}", /has no port named "sctp"/);
  await mistake("http://10.0.0.1:{nodePort:plain}", /has no NodePort \(type ClusterIP\).*changes to type NodePort/s);
  await mistake("http://10.0.0.1:{nodePort:gone}", /has no Service "gone"/);
});

test("a dual-stack load-balancer Service's address of a family, in brackets when IPv6", async () => {
  const both: V1Service = {
    metadata: { name: "both" },
    spec: { type: "LoadBalancer", clusterIP: "10.96.3.3", ports: [{ port: 80 }] },
    status: {
      loadBalancer: { ingress: [{ ip: "172.18.255.200" }, { ip: "fc00:6b71:6475:616c:ffff:ffff:ffff:ff08" }] },
    },
  };
  const scenario = scenarioWith({ both, plain });
  assert.equal(await expandAddresses(scenario, "http://{loadBalancerIP:both}/"), "http://172.18.255.200/");
  assert.equal(await expandAddresses(scenario, "http://{loadBalancerIP:both:IPv4}/"), "http://172.18.255.200/");
  assert.equal(
    await expandAddresses(scenario, "http://{loadBalancerIP:both:IPv6}/"),
    "http://[fc00:6b71:6475:616c:ffff:ffff:ffff:ff08]/",
  );
  await assert.rejects(expandAddresses(scenario, "http://{loadBalancerIP:plain:IPv6}/"), (error: Error) => {
    assert.ok(error instanceof UserError);
    assert.match(error.message, /no Service "plain" with an IPv6 load-balancer address/);
    return true;
  });
  await assert.rejects(expandAddresses(scenario, "http://{loadBalancerIP:both:v6}/"), /"v6" is not an IP family/);
});
