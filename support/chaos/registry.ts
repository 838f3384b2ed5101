import { UserError } from "../errors/user-error.ts";
import { runCommand } from "../process/command.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { refuseBreakingOwnClients } from "../scheduling/client-placement.ts";
import { takeChaosLease } from "./chaos-lease.ts";
import { apiServerDown, coreDnsDown, kubeProxyStopped, nodeBroken } from "./cluster-faults.ts";
import type { FaultDeclaration, PlannedFault, UndoCommand } from "./declaration.ts";
import { coreDnsFailsForService } from "./dns-faults.ts";
import { applyFault, undoLatestFault } from "./faults.ts";
import { answersFailWithStatus, connectionsReset } from "./http-faults.ts";
import { latencyAdded } from "./latency.ts";
import { metallbSpeakerKilled } from "./metallb-faults.ts";
import { bandwidthLimited, packetsDropped } from "./network-faults.ts";
import { conntrackFlushed, kubeProxyRestarted, nodeDrained } from "./node-faults.ts";
import { podsCpuStressed, podsStopped, podsTerminatedInPlace } from "./process-faults.ts";
import { assertChaosAllowed } from "./safety.ts";
import { kindClusterOf } from "./targets.ts";

/**
 * Every declared fault. The fault steps are made from this list (steps/faults.steps.ts), so a fault declared here is a
 * step, guarded by its scope, with its undo in the chaos log and the fault ledger.
 */
// biome-ignore lint/suspicious/noExplicitAny: each declaration's own argument types are checked where it is declared.
export const declaredFaults: readonly FaultDeclaration<any[]>[] = [
  nodeBroken,
  kubeProxyStopped,
  coreDnsDown,
  apiServerDown,
  packetsDropped,
  bandwidthLimited,
  latencyAdded,
  kubeProxyRestarted,
  conntrackFlushed,
  nodeDrained,
  podsStopped,
  podsTerminatedInPlace,
  podsCpuStressed,
  coreDnsFailsForService,
  connectionsReset,
  answersFailWithStatus,
  metallbSpeakerKilled,
];

/**
 * Applies a declared fault for a scenario: the guard its scope needs, then its plan (targets resolved, arguments
 * checked, nothing touched yet), then the fault through the chaos log, its undo kept for the end of the scenario (or
 * "the faults are undone") and, for node and cluster faults, written to the fault ledger before it is applied.
 */
export async function applyDeclaredFault<Args extends unknown[]>(
  scenario: ScenarioContext,
  fault: FaultDeclaration<Args>,
  args: Args,
): Promise<void> {
  assertChaosAllowed(scenario.kube, fault.phrase);
  let cluster: string | undefined;
  if (fault.scope !== "namespace") {
    requireSerial(scenario, fault);
    // Refused here where the nodes are not kind containers on this machine (targets.ts), before the lease is taken.
    cluster = await kindClusterOf(scenario);
    // One breaker at a time: taken before the plan reads the cluster's state (CoreDNS's replicas, say).
    await takeChaosLease(scenario);
  }
  const plan = await fault.plan(scenario, ...args);
  // A fault on the node of the scenario's own client would fail its requests for the fault's sake: said before it starts.
  await refuseBreakingOwnClients(scenario, plan.label, plan.nodes ?? []);
  const undo = plan.undo;
  if (fault.scope !== "namespace" && typeof undo === "function") {
    throw new Error(`the ${fault.scope} fault "${fault.phrase}" must give its undo as a command, for the fault ledger`);
  }
  await applyFault(
    scenario,
    plan.label,
    { make: () => plan.apply(), settle: plan.proof && (() => plan.proof!()) },
    { make: typeof undo === "function" ? undo : () => runUndo(undo), settle: plan.whole && (() => plan.whole!()) },
    { pods: plan.pods, dockerUndo: typeof undo === "function" ? undefined : ledgerUndo(plan, undo, cluster) },
  );
  if (plan.forSeconds !== undefined) {
    await new Promise((resolve) => setTimeout(resolve, plan.forSeconds! * 1000));
    await undoLatestFault(scenario);
  }
}

/** Node and cluster faults break more than the namespace: a scenario running beside them could fail because of them. */
function requireSerial(
  scenario: ScenarioContext,
  fault: FaultDeclaration<never[]> | FaultDeclaration<unknown[]>,
): void {
  if (scenario.tags.includes("@serial")) return;
  throw new UserError(
    `"${fault.phrase}" breaks more than the scenario's namespace (a ${fault.scope} fault), but the scenario is not tagged @serial, so a scenario running in parallel could fail because of it.`,
    "tag the scenario @serial (and @chaos): it then runs alone, and the next one starts only when the cluster is whole again.",
  );
}

/** Runs an undo command in-process; fails with its output unless it says there was nothing left to undo. */
async function runUndo(undo: UndoCommand): Promise<void> {
  const [program, ...args] = undo.argv;
  const result = await runCommand(program!, args, { allowFailure: true, timeoutMs: 120_000 });
  if (result.exitCode === 0) return;
  if (undo.alreadyUndone !== undefined && result.stderr.includes(undo.alreadyUndone)) return;
  throw new Error(`${undo.argv.join(" ")} exited ${result.exitCode}: ${result.stderr.trim().slice(0, 300)}`);
}

/** The ledger keeps `docker` commands: the one program a later sweep can rely on finding. */
function ledgerUndo(
  plan: PlannedFault,
  undo: UndoCommand,
  cluster: string | undefined,
): { command: readonly string[]; alreadyUndone?: string; cluster?: string } {
  const [program, ...args] = undo.argv;
  if (program !== "docker") {
    throw new Error(`the undo of "${plan.label}" must be a docker command for the fault ledger, not ${program}`);
  }
  return { command: args, alreadyUndone: undo.alreadyUndone, cluster };
}

/** Marks a step function made from a declared fault; read by declaredFaultOf (the step catalog, lint). */
const declaredFaultMark = Symbol.for("kubequake.declaredFault");

/**
 * The step function of a declared fault: it applies the fault for the World's scenario. Cucumber checks a step
 * function's arity against its phrase's parameters, so it takes the plan's (without the scenario).
 */
export function declaredFaultStep<Args extends unknown[]>(
  fault: FaultDeclaration<Args>,
): (this: { readonly scenario: ScenarioContext }, ...args: Args) => Promise<void> {
  const step = async function (this: { readonly scenario: ScenarioContext }, ...args: Args): Promise<void> {
    await applyDeclaredFault(this.scenario, fault, args);
  };
  Object.defineProperty(step, "length", { value: Math.max(0, fault.plan.length - 1) });
  Object.defineProperty(step, declaredFaultMark, { value: fault });
  return step;
}

/** The declaration a step function was made from (declaredFaultStep), if it was. */
export function declaredFaultOf(code: unknown): FaultDeclaration<unknown[]> | undefined {
  if (typeof code !== "function") return undefined;
  return (code as unknown as Record<symbol, FaultDeclaration<unknown[]> | undefined>)[declaredFaultMark];
}
