// The {podSender} phrases map to the right sender, and URL placeholders expand to the addresses and NodePorts the
// API server holds: {nodePort:<service>/<port name>} picks the named port, and a port the Service lacks is the
// user's mistake, named with the ports there are.
import assert from "node:assert/strict";
import { test } from "node:test";
import { expandNodeIPs, parsePodSender, podSenderPattern } from "../../support/objects/sources.ts";
import type { ScenarioContext } from "../../support/scenario/context.ts";

const whole = new RegExp(`^(?:${podSenderPattern.source})$`);

function sender(text: string) {
  const match = whole.exec(text);
  assert.ok(match, `"${text}" is a pod sender`);
  return parsePodSender(match[1], match[2], match[3]);
}

test("each pod sender phrase names its sender, and an outside sender is not one", () => {
  assert.deepEqual(sender('the pod "test-container"'), { kind: "pod", pod: "test-container" });
  assert.deepEqual(sender('a pod of "netserver"'), { kind: "backend", backend: "netserver" });
  assert.deepEqual(sender('a hostNetwork client on node "kubequake-worker"'), {
    kind: "hostNetwork",
    node: "kubequake-worker",
  });
  assert.equal(whole.test("a client pod"), false);
  assert.equal(whole.test("an outside client"), false);
});

const services: Record<string, object> = {
  "node-port": {
    spec: {
      type: "NodePort",
      clusterIP: "10.96.7.8",
      ports: [
        { name: "http", port: 80, nodePort: 31001 },
        { name: "udp", port: 90, nodePort: 31002 },
      ],
    },
  },
  plain: { spec: { type: "ClusterIP", clusterIP: "10.96.1.2", ports: [{ name: "http", port: 80 }] } },
};

const scenario = {
  name: "kq-test",
  watchedServices: Object.keys(services),
  kube: {
    core: {
      readNode: async ({ name }: { name: string }) => {
        if (name !== "kubequake-worker") throw new Error("not found");
        return { status: { addresses: [{ type: "InternalIP", address: "172.18.0.3" }] } };
      },
      readNamespacedService: async ({ name }: { name: string }) => {
        const service = services[name];
        if (!service) throw new Error("not found");
        return service;
      },
      listNode: async () => ({ items: [{ metadata: { name: "kubequake-worker" } }] }),
    },
  },
} as unknown as ScenarioContext;

test("{nodePort:…} expands to the named port's NodePort (the first port without a name), next to node and cluster IPs", async () => {
  assert.equal(
    await expandNodeIPs(scenario, "udp://{nodeIP:kubequake-worker}:{nodePort:node-port/udp}"),
    "udp://172.18.0.3:31002",
  );
  assert.equal(
    await expandNodeIPs(scenario, "http://{nodeIP:kubequake-worker}:{nodePort:node-port}/"),
    "http://172.18.0.3:31001/",
  );
  assert.equal(await expandNodeIPs(scenario, "udp://{clusterIP:node-port}:90"), "udp://10.96.7.8:90");
});

test("a NodePort placeholder for a port or Service without one names what there is", async () => {
  await assert.rejects(
    expandNodeIPs(scenario, "udp://x:{nodePort:node-port/dns}"),
    /no NodePort Service "node-port" with a port named "dns" \(type NodePort, ports http:31001, udp:31002\)/,
  );
  await assert.rejects(
    expandNodeIPs(scenario, "http://x:{nodePort:plain}"),
    /no NodePort Service "plain" \(type ClusterIP, ports http:no NodePort\)/,
  );
  await assert.rejects(
    expandNodeIPs(scenario, "http://x:{nodePort:nope}"),
    /no NodePort Service "nope" \(no such Service\)/,
  );
});
