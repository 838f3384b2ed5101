import { request } from "node:http";
import { UserError } from "../errors/user-error.ts";
import { ipInCidr } from "../kube/networks.ts";
import type { HttpProbe, HttpProbeResult } from "../kube/prober.ts";
import { outsideNetwork, outsideSubnets } from "../outside/containers.ts";
import { runCommand } from "../process/command.ts";

/*
 * The host as a client: requests from this machine itself (not a container), which sits on the kind network as its
 * gateway. Only addresses on the kind network are targets: the network is sealed at the host.
 */

/** The host's address on the kind network (its gateway): what a backend sees when the host's request is not rewritten. */
export async function hostAddress(): Promise<string> {
  return (await hostAddresses()).address;
}

/**
 * The host's addresses on the kind network, from one look at the network: its IPv4 gateway, and on a network with an
 * IPv6 subnet its IPv6 address too, the bridge's global address (Docker lists no IPv6 gateway for a subnet it was
 * given, but puts the subnet's first address on the bridge).
 */
export async function hostAddresses(): Promise<{ address: string; ipv6Address?: string }> {
  const { stdout } = await runCommand("docker", [
    "network",
    "inspect",
    outsideNetwork,
    "-f",
    '{{.Id}} {{range .IPAM.Config}}{{.Subnet}}={{with index . "Gateway"}}{{.}}{{end}} {{end}}',
  ]);
  const [id = "", ...configs] = stdout.trim().split(/\s+/);
  const pairs = configs.map((c) => c.split("=") as [string, string?]);
  const address = pairs.map(([, gateway]) => gateway ?? "").find((g) => /^\d+\.\d+\.\d+\.\d+$/.test(g)) ?? "";
  // On a network without IPv6 (the IPv4 clusters' "kind") there is nothing more to look up, and no `ip` is needed.
  const ipv6 = pairs.find(([subnet]) => subnet.includes(":"));
  if (!ipv6) return { address };
  if (ipv6[1]) return { address, ipv6Address: ipv6[1] };
  const bridge = await runCommand(
    "ip",
    ["-6", "-o", "addr", "show", "dev", `br-${id.slice(0, 12)}`, "scope", "global"],
    { allowFailure: true },
  ).catch(() => ({ stdout: "" }));
  const ipv6Address = /inet6 ([0-9a-f:]+)\//.exec(bridge.stdout)?.[1];
  return ipv6Address ? { address, ipv6Address } : { address };
}

/**
 * Requests from this machine itself (the host, not a container), a new connection each, `concurrency` at a time.
 * Only addresses on the kind network are allowed: the network is sealed at the host, and nothing else is a target.
 */
export async function probeFromHost(body: {
  url: string;
  count: number;
  concurrency: number;
  timeoutMs: number;
}): Promise<HttpProbe> {
  const subnets = await outsideSubnets();
  const host = new URL(body.url).hostname.replace(/^\[(.*)\]$/, "$1");
  if (!subnets.split(",").some((cidr) => ipInCidr(host, cidr))) {
    throw new UserError(
      `the host may only send to addresses on the kind network (${subnets}), not to ${host}`,
      "send to a NodePort or load-balancer address of a Service in the scenario.",
    );
  }
  const startedAt = new Date().toISOString();
  const results: HttpProbeResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < body.count) {
      const seq = next++;
      results.push(await oneRequest(seq, body.url, body.timeoutMs));
    }
  };
  await Promise.all(Array.from({ length: Math.min(body.concurrency, body.count) }, worker));
  results.sort((a, b) => a.seq - b.seq);
  return { url: body.url, startedAt, results, notSent: 0 };
}

function oneRequest(seq: number, url: string, timeoutMs: number): Promise<HttpProbeResult> {
  const startUnixMs = Date.now();
  const started = performance.now();
  const base = { seq, startUnixMs, pod: "", podIP: "", node: "", clientIP: "" };
  return new Promise((resolve) => {
    const done = (fields: Partial<HttpProbeResult>) =>
      resolve({
        ...base,
        durationMs: performance.now() - started,
        ok: false,
        status: 0,
        error: "",
        errorKind: "",
        ...fields,
      });
    // agent: false: a new TCP connection per request, as the in-cluster prober does.
    const req = request(url, { agent: false, timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const status = response.statusCode ?? 0;
        try {
          const answer = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, string>;
          const ok = status >= 200 && status < 300;
          done({
            ok,
            status,
            pod: answer.pod ?? "",
            podIP: answer.podIP ?? "",
            node: answer.node ?? "",
            clientIP: answer.clientIP ?? "",
            ...(response.socket.localAddress ? { localIP: response.socket.localAddress } : {}),
            errorKind: ok ? "" : "http",
            error: ok ? "" : `HTTP ${status}`,
          });
        } catch {
          done({ status, errorKind: "http", error: `HTTP ${status} with a body that is not the demo backend's JSON` });
        }
      });
      response.on("error", (error) => done({ errorKind: "reset", error: error.message }));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (error: NodeJS.ErrnoException) => done({ errorKind: errorKindOf(error), error: error.message }));
    req.end();
  });
}

function errorKindOf(error: NodeJS.ErrnoException): HttpProbeResult["errorKind"] {
  if (error.code === "ECONNREFUSED") return "refused";
  if (error.code === "ECONNRESET" || error.code === "EPIPE") return "reset";
  if (error.message.startsWith("no answer within") || error.code === "ETIMEDOUT") return "timeout";
  return "other";
}
