import { UserError } from "../errors/user-error.ts";
import { containerMainProcess } from "../kube/container-process.ts";
import { runCommand } from "../process/command.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import type { Backend } from "../services/backend.ts";
import { eventually } from "../wait/eventually.ts";
import { defineFault } from "./declaration.ts";
import { type ChosenPods, chaosSeed, choosePods, type PodSelection } from "./selection.ts";
import { nodeContainerOf } from "./targets.ts";

/**
 * Faults on the processes of a backend's pods, done from the node each pod runs on (kind nodes are containers; the
 * demo image has no shell): the main process stopped (hung, not dead) or sent SIGTERM in place, and CPU burnt inside
 * the pod's cgroups. The API sees none of it, which is the point: a Service learns of it only through the readiness
 * probe, or not at all.
 */

/** A chosen pod's main process: where it runs (the node's container) and its PID there. */
interface TargetProcess {
  readonly pod: string;
  readonly nodeContainer: string;
  readonly pid: string;
}

/** Chooses pods of a backend and finds their main processes, before anything is touched. */
async function targetProcesses(
  backend: Backend,
  selection: PodSelection,
  action: string,
): Promise<{ chosen: ChosenPods; targets: TargetProcess[] }> {
  const chosen = choosePods(selection, await backend.readyPodNames(), chaosSeed(), action, backend.name);
  const { scenario } = backend;
  const targets = await Promise.all(
    chosen.pods.map(async (pod) => {
      const found = await containerMainProcess(scenario.kube, (n) => nodeContainerOf(scenario, n), scenario.name, pod);
      return { pod, nodeContainer: found.node, pid: found.pid };
    }),
  );
  return { chosen, targets };
}

/** Runs a command in a node's container (the node's own PID namespace, where the PIDs above are). */
async function inNode(target: TargetProcess, args: readonly string[]) {
  return runCommand("docker", ["exec", target.nodeContainer, ...args], { timeoutMs: 30_000, allowFailure: true });
}

async function signal(target: TargetProcess, name: "STOP" | "CONT" | "TERM"): Promise<"sent" | "gone"> {
  const result = await inNode(target, ["kill", `-${name}`, target.pid]);
  if (result.exitCode === 0) return "sent";
  // The container was restarted or its pod deleted meanwhile: there is no process left to signal.
  if (/No such process/i.test(result.stderr)) return "gone";
  throw new Error(`kill -${name} ${target.pid} (${target.pod}) on ${target.nodeContainer}: ${result.stderr.trim()}`);
}

/** Signals every target at once (a share of pods hangs together, not one `docker exec` after another). */
async function signalAll(targets: readonly TargetProcess[], name: "STOP" | "TERM"): Promise<void> {
  const outcomes = await Promise.all(targets.map((target) => signal(target, name)));
  const gone = targets.filter((_, i) => outcomes[i] === "gone").map((t) => t.pod);
  if (gone.length > 0) throw new Error(`the main process of ${gone.join(", ")} was gone before SIG${name}`);
}

/** The process state letter from /proc/<pid>/stat ("T" stopped, "S" sleeping), or undefined once it is gone. */
async function processState(target: TargetProcess): Promise<string | undefined> {
  const result = await inNode(target, ["cat", `/proc/${target.pid}/stat`]);
  if (result.exitCode !== 0) return undefined;
  // The command name (in parentheses) may hold spaces; the state follows its closing parenthesis.
  return result.stdout.slice(result.stdout.lastIndexOf(")") + 2).split(" ")[0];
}

async function waitUntilReadyAgain(backend: Backend, pods: readonly string[], seconds: number): Promise<void> {
  await eventually(
    `${pods.join(", ")} of ${backend.name} ready again`,
    async () => {
      const ready = await backend.readyPodNames();
      const missing = pods.filter((p) => !ready.includes(p));
      return { satisfied: missing.length === 0, value: `not ready: ${missing.join(", ") || "none"}` };
    },
    { timeoutMs: seconds * 1000, intervalMs: 500 },
  );
}

function labelOf(targets: readonly TargetProcess[], backend: Backend, what: string, chosen: ChosenPods): string {
  return `${targets.map((t) => t.pod).join(", ")} of ${backend.name} ${what} (${chosen.description})`;
}

/**
 * The main process of chosen pods SIGSTOPped: hung, not dead. The kernel still accepts connections for it, so
 * requests wait until they time out, and the pod stays a ready endpoint until its readiness probe times out. The
 * undo sends SIGCONT to the very PIDs stopped, and waits until the pods are ready again.
 */
export const podsStopped = defineFault({
  phrase: "{podSelection} of {backend} is/are SIGSTOPped",
  doc: "Stops (SIGSTOP) the main process of chosen ready pods of a backend from their nodes: hung, not dead; a random choice prints its seed. SIGCONT at the end of the scenario (or when the faults are undone).",
  scope: "namespace",
  plan: async (_scenario: ScenarioContext, selection: PodSelection, backend: Backend) => {
    const { chosen, targets } = await targetProcesses(backend, selection, "SIGSTOP");
    return {
      label: labelOf(targets, backend, "SIGSTOPped", chosen),
      pods: chosen.pods,
      apply: async () => {
        await signalAll(targets, "STOP");
      },
      proof: () =>
        eventually(
          `the main process of ${chosen.pods.join(", ")} is stopped`,
          async () => {
            const states = await Promise.all(targets.map(async (t) => `${t.pod}: ${await processState(t)}`));
            return { satisfied: states.every((s) => s.endsWith(": T")), value: states.join(", ") };
          },
          { timeoutMs: 10_000, intervalMs: 200 },
        ).then(() => undefined),
      undo: async () => {
        await Promise.all(targets.map((target) => signal(target, "CONT")));
      },
      whole: () => waitUntilReadyAgain(backend, chosen.pods, 60),
    };
  },
});

/**
 * The main process of chosen pods sent SIGTERM in place, as the kubelet would, but without the pod being deleted: the
 * API still shows the pod as it was, so its endpoint stays ready until the readiness probe says otherwise; the
 * kubelet restarts the container. Nothing to undo but waiting: "whole" is every chosen pod restarted and ready.
 */
export const podsTerminatedInPlace = defineFault({
  phrase: "{podSelection} of {backend} is/are SIGTERMed in place",
  doc: "Sends SIGTERM to the main process of chosen ready pods of a backend from their nodes, the pods left in place (the kubelet restarts the containers); a random choice prints its seed.",
  scope: "namespace",
  plan: async (scenario: ScenarioContext, selection: PodSelection, backend: Backend) => {
    const { chosen, targets } = await targetProcesses(backend, selection, "SIGTERM");
    const podStates = async () =>
      new Map(
        (await scenario.kube.core.listNamespacedPod({ namespace: scenario.name })).items.map((p) => [
          p.metadata?.name ?? "",
          {
            restarts: p.status?.containerStatuses?.[0]?.restartCount ?? 0,
            ready: p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
          },
        ]),
      );
    const before = await podStates();
    return {
      label: labelOf(targets, backend, "SIGTERMed in place", chosen),
      pods: chosen.pods,
      apply: async () => {
        await signalAll(targets, "TERM");
      },
      // Taken means the pod answered the signal as a Service sees it: not ready (a drain, or the exit), or already
      // restarted by the kubelet.
      proof: () =>
        eventually(
          `${chosen.pods.join(", ")} turn not ready or restart`,
          async () => {
            const now = await podStates();
            const untouched = chosen.pods.filter(
              (p) => now.get(p)?.ready && (now.get(p)?.restarts ?? 0) <= (before.get(p)?.restarts ?? 0),
            );
            return {
              satisfied: untouched.length === 0,
              value: `still ready, not restarted: ${untouched.join(", ") || "none"}`,
            };
          },
          { timeoutMs: 30_000, intervalMs: 200 },
        ).then(() => undefined),
      // The kubelet restarts the container by itself: the undo only waits for it (whole).
      undo: async () => undefined,
      whole: () => waitUntilReadyAgain(backend, chosen.pods, 60),
    };
  },
});

const maxCores = 4;
const maxStressSeconds = 300;

/**
 * Busy loops burn CPU inside chosen pods' cgroups for a stated time, competing with the pod's own process for the
 * pod's CPU share (a pod with a CPU limit is throttled; without one, it takes the node's spare cores). Each loop is
 * started in the node under `timeout`, so it ends by itself even if kubequake dies; the undo ends it earlier.
 */
export const podsCpuStressed = defineFault({
  phrase: "{podSelection} of {backend} burn(s) {int} CPU core(s) for {int} second(s)",
  doc: "Burns CPU in chosen ready pods of a backend (busy loops in each pod's cgroups, started from its node) for a stated time, then stops them; a random choice prints its seed.",
  scope: "namespace",
  timeoutMs: (maxStressSeconds + 120) * 1000,
  plan: async (
    _scenario: ScenarioContext,
    selection: PodSelection,
    backend: Backend,
    cores: number,
    seconds: number,
  ) => {
    if (!(Number.isInteger(cores) && cores >= 1 && cores <= maxCores)) {
      throw new UserError(
        `cannot burn ${cores} CPU core(s): the busy loops per pod are a whole number from 1 to ${maxCores}`,
        `give 1 to ${maxCores} cores, e.g. When 1 pod of "${backend.name}" burns 2 CPU cores for 20 seconds.`,
      );
    }
    if (!(Number.isInteger(seconds) && seconds >= 1 && seconds <= maxStressSeconds)) {
      throw new UserError(
        `cannot burn CPU for ${seconds} second(s): the stress lasts a whole number of seconds from 1 to ${maxStressSeconds}`,
        `give 1 to ${maxStressSeconds} seconds.`,
      );
    }
    const { chosen, targets } = await targetProcesses(backend, selection, "stress");
    const loops: { target: TargetProcess; pid: string }[] = [];
    return {
      label: labelOf(targets, backend, `burning ${cores} CPU core(s) for ${seconds} s`, chosen),
      pods: chosen.pods,
      apply: async () => {
        for (const target of targets) {
          for (let core = 0; core < cores; core += 1)
            loops.push({ target, pid: await startBusyLoop(target, seconds + 30) });
        }
      },
      proof: () =>
        eventually(
          `the busy loops run in the CPU cgroup of ${chosen.pods.join(", ")}`,
          async () => {
            const checks = await Promise.all(
              loops.map(async (l) => (await cpuCgroup(l.target, l.pid)) === (await cpuCgroup(l.target, l.target.pid))),
            );
            return {
              satisfied: checks.every(Boolean),
              value: `${checks.filter(Boolean).length} of ${loops.length} in place`,
            };
          },
          { timeoutMs: 10_000, intervalMs: 200 },
        ).then(() => undefined),
      undo: async () => {
        // `timeout` passes the TERM on to its loop; a loop whose time ran out is already gone.
        for (const loop of loops) await signal({ ...loop.target, pid: loop.pid }, "TERM");
      },
      forSeconds: seconds,
    };
  },
});

/**
 * Starts a busy loop in a pod's cgroups (every v1 hierarchy, or the v2 one), detached and bounded by `timeout`;
 * returns its PID in the node.
 */
async function startBusyLoop(target: TargetProcess, limitSeconds: number): Promise<string> {
  const script = [
    // Join the target's cgroup in every hierarchy the node mounts (cgroup v1: /sys/fs/cgroup/<controllers>/<path>).
    `while IFS=: read -r _ controllers path; do`,
    `  for dir in /sys/fs/cgroup/\${controllers#name=}\${path} /sys/fs/cgroup\${path}; do`,
    `    [ -w "$dir/cgroup.procs" ] && echo $$ > "$dir/cgroup.procs" 2>/dev/null`,
    `  done`,
    `done < /proc/${target.pid}/cgroup`,
    `exec timeout ${limitSeconds} sh -c 'while :; do :; done'`,
  ].join("\n");
  const result = await inNode(target, [
    "sh",
    "-c",
    `setsid sh -c '${script.replaceAll("'", `'"'"'`)}' >/dev/null 2>&1 & echo $!`,
  ]);
  const pid = result.stdout.trim();
  if (result.exitCode !== 0 || !/^\d+$/.test(pid)) {
    throw new Error(
      `could not start a busy loop for ${target.pod} on ${target.nodeContainer}: ${result.stderr.trim()}`,
    );
  }
  return pid;
}

/** A process's CPU cgroup path in the node (v1 "cpu" hierarchy, or the v2 one). */
async function cpuCgroup(target: TargetProcess, pid: string): Promise<string | undefined> {
  const result = await inNode(target, ["cat", `/proc/${pid}/cgroup`]);
  if (result.exitCode !== 0) return undefined;
  const lines = result.stdout.trim().split("\n");
  const cpu = lines.find((l) => /^\d+:[^:]*\bcpu\b[^:]*:/.test(l)) ?? lines.find((l) => l.startsWith("0::"));
  return cpu?.split(":").slice(2).join(":");
}
