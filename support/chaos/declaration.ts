import type { ScenarioContext } from "../scenario/context.ts";

/**
 * How far a fault reaches. The fault registry (registry.ts) enforces what each scope needs, so no step repeats it:
 * every fault needs a cluster chaos may break; "node" and "cluster" faults also need @serial, the cluster's chaos
 * lease, and an undo command written to the fault ledger before they are applied.
 */
export type FaultScope = "namespace" | "node" | "cluster";

/**
 * An undo as one command (program first: `["docker", "start", "kubequake-worker"]`). The registry runs it in-process
 * at the end of the scenario, and writes it to the fault ledger first, so a later sweep can run the very same command
 * after a crash. Running it twice must be harmless.
 */
export interface UndoCommand {
  readonly argv: readonly string[];
  /** Text in its stderr that means there was nothing left to undo (e.g. "is not paused"): the undo then counts as done. */
  readonly alreadyUndone?: string;
}

/**
 * A fault made concrete for one scenario: its targets resolved and its arguments checked (by
 * {@link FaultDeclaration.plan}), nothing touched yet.
 */
export interface PlannedFault {
  /** What it does, for the timeline, the report and the ledger: "node kubequake-worker stopped". */
  readonly label: string;
  /** Pods it acts on (killed, cut off), for the traffic checks that look at them. */
  readonly pods?: readonly string[];
  /** Nodes it breaks, so a fault that would break the scenario's own client says so before it starts. */
  readonly nodes?: readonly string[];
  /** Makes the fault; returns once docker or the API accepted it (the fault's stamp on the timeline). */
  apply(): Promise<void>;
  /** Waits until the fault has visibly taken effect (kube-proxy's pods gone, no ready CoreDNS endpoint); throws if not. */
  proof?(): Promise<void>;
  /**
   * The undo. Node and cluster faults give a command (it goes to the fault ledger); a namespace fault may give a
   * function instead, since deleting the namespace undoes it anyway.
   */
  readonly undo: UndoCommand | (() => Promise<void>);
  /** What "whole again" waits for after the undo (every node Ready, MetalLB announcing again, ...). */
  whole?(): Promise<void>;
  /** A fault with a stated duration: held this long after its proof, then undone by the registry before the step ends. */
  readonly forSeconds?: number;
}

/**
 * A fault, declared once: its step phrase, its scope and how to plan it. Adding a fault is a declaration in
 * registry.ts's list and a feature that uses it; the step, the guard, @serial, the lock, the ledger and the undo all
 * follow from the declaration.
 */
export interface FaultDeclaration<Args extends unknown[] = never[]> {
  /** The Cucumber expression after `When`, e.g. "the node {node} is {nodeFault}". */
  readonly phrase: string;
  /** The step's documentation in the step catalog (docs/STEPS.md). */
  readonly doc: string;
  readonly scope: FaultScope;
  /** The step's timeout when it may take longer than cucumber's default (a control plane coming back). */
  readonly timeoutMs?: number;
  /** Resolves the targets and checks the arguments, before anything is touched; throws a UserError on bad input. */
  plan(scenario: ScenarioContext, ...args: Args): Promise<PlannedFault>;
}

/** Declares a fault (a typed identity: the type checks the plan's arguments against the phrase's use). */
export function defineFault<Args extends unknown[]>(declaration: FaultDeclaration<Args>): FaultDeclaration<Args> {
  return declaration;
}
