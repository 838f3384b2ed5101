import { createHash } from "node:crypto";
import { kindNetworkName } from "../cluster/kind.ts";
import { UserError } from "../errors/user-error.ts";
import { runCommand } from "../process/command.ts";
import type { ScenarioContext } from "../scenario/context.ts";

/** The Docker network the kind nodes sit on: "outside the cluster", but on this machine. */
export const outsideNetwork = process.env.KUBEQUAKE_OUTSIDE_NETWORK ?? kindNetworkName;
/** Label on every container kubequake starts outside the cluster, with the owning run's PID, for cleanup and sweeps. */
export const outsideOwnerLabel = "kubequake.dev/outside-owner-pid";

/** A container on the kind network, started by a scenario and removed by its cleanup (or the Ctrl-C handler). */
export interface OutsideContainer {
  readonly name: string;
  /** Its address on the kind network. */
  readonly ip: string;
  /** Its IPv6 address there, on the network of the dual-stack and IPv6 clusters. */
  readonly ipv6?: string;
}

/** A container as started: the one who started it removes it at the scenario's cleanup. */
export interface StartedOutsideContainer extends OutsideContainer {
  /** Stops and removes the container (and its volumes), at once. */
  remove(): Promise<void>;
}

/**
 * The subnets of the kind network (e.g. 172.18.0.0/16, and its IPv6 /64 on the network of the dual-stack and IPv6
 * clusters): outside clients may connect anywhere on it (nodes, load-balancer addresses, external services), and
 * nowhere else.
 */
export async function outsideSubnets(): Promise<string> {
  const { stdout, stderr, exitCode } = await runCommand(
    "docker",
    ["network", "inspect", outsideNetwork, "-f", "{{range .IPAM.Config}}{{.Subnet}} {{end}}"],
    { allowFailure: true },
  );
  const subnets = stdout
    .trim()
    .split(/\s+/)
    .filter((s) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(s) || /^[0-9a-f:]+\/\d+$/i.test(s));
  if (exitCode !== 0 || subnets.length === 0) {
    throw new UserError(
      `outside clients and services run on the Docker network "${outsideNetwork}" next to the nodes, but it ${exitCode !== 0 ? `cannot be inspected (${stderr.trim()})` : "has no subnet"}`,
      "run against the kind cluster kubequake builds, or set KUBEQUAKE_OUTSIDE_NETWORK to the Docker network your nodes sit on.",
    );
  }
  return subnets.join(",");
}

/**
 * Starts a demo-image container on the kind network (testcontainers; Ryuk cannot be pulled here, so removal is the
 * caller's, at the scenario's cleanup, and the Ctrl-C handler removes by label). Returns once it listens (its role
 * logs "msg=started"). With `hostNetwork` it runs in this machine's own network namespace instead (`--network host`):
 * its requests leave from the host itself, as the host's would; its address is then 127.0.0.1.
 */
export async function startOutsideContainer(
  scenario: ScenarioContext,
  options: { name: string; command: string[]; env?: Record<string, string>; hostNetwork?: boolean },
): Promise<StartedOutsideContainer> {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
  const { GenericContainer, Wait } = await import("testcontainers");
  const { runOwnerPid } = await import("../kube/namespace.ts");
  // Namespace names are long and differ at the end: a digest of it keeps names unique per scenario and client.
  const scenarioId = createHash("sha256").update(scenario.name).digest("hex").slice(0, 10);
  const name = `kq-${scenarioId}-${options.name}`.slice(0, 63);
  const network = options.hostNetwork ? "host" : outsideNetwork;
  const container = await new GenericContainer(scenario.image)
    .withName(name)
    .withNetworkMode(network)
    .withLabels({ [outsideOwnerLabel]: String(runOwnerPid()), "kubequake.dev/namespace": scenario.name })
    .withEnvironment({ POD_NAME: options.name, ...options.env })
    .withCommand(options.command)
    // The demo roles log "msg=started" once they listen; no port is published to the host (it reaches the kind network).
    .withWaitStrategy(Wait.forLogMessage(/msg=started/))
    .withStartupTimeout(60_000)
    .start();
  const ip = options.hostNetwork ? "127.0.0.1" : container.getIpAddress(outsideNetwork);
  const remove = () => container.stop({ remove: true, removeVolumes: true, timeout: 0 }).then(() => {});
  // Not yet handed to the caller's cleanup: a failure here removes the container before it is thrown.
  const ipv6 = options.hostNetwork
    ? undefined
    : await containerIPv6(name, outsideNetwork).catch(async (error: unknown) => {
        await remove().catch(() => {});
        throw error;
      });
  scenario.note(
    `outside container ${name} started at ${ip}${ipv6 ? ` and ${ipv6}` : ""} (network ${network}): ${options.command.join(" ")}`,
  );
  return {
    name,
    ip,
    ...(ipv6 ? { ipv6 } : {}),
    remove,
  };
}

/** A container's IPv6 address on a Docker network; undefined on a network without IPv6. */
async function containerIPv6(container: string, network: string): Promise<string | undefined> {
  const { stdout } = await runCommand(
    "docker",
    [
      "inspect",
      "-f",
      `{{with index .NetworkSettings.Networks ${JSON.stringify(network)}}}{{.GlobalIPv6Address}}{{end}}`,
      container,
    ],
    { timeoutMs: 30_000 },
  );
  return stdout.trim() || undefined;
}

/**
 * Removes the outside containers of runs owned by `ownerPid` (an interrupted run), or of runs whose owner is gone
 * when `isAlive` says so. Returns the names removed.
 */
export async function removeOutsideContainers(select: (ownerPid: number) => boolean): Promise<string[]> {
  const { stdout } = await runCommand("docker", [
    "ps",
    "-a",
    "--filter",
    `label=${outsideOwnerLabel}`,
    "--format",
    `{{.Names}} {{.Label "${outsideOwnerLabel}"}}`,
  ]);
  const doomed = stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => line.split(" "))
    .filter(([, pid]) => select(Number(pid)))
    .map(([name]) => name!);
  if (doomed.length > 0) await runCommand("docker", ["rm", "-f", ...doomed]);
  return doomed;
}
