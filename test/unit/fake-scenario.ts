import type { ScenarioContext, Slot } from "../../support/scenario/context.ts";

/**
 * A stand-in for a ScenarioContext in unit tests: the given fields (a fake `kube`, a `name`…) plus working slots
 * (`slot`/`peek`, as the real Scenario keeps them), so library code that keeps per-scenario state runs unchanged.
 */
export function fakeScenario(fields: Record<string, unknown> = {}): ScenarioContext {
  const slots = new Map<Slot<unknown>, unknown>();
  const scenario = {
    ...fields,
    slot<T>(slot: Slot<T>): T {
      if (!slots.has(slot)) slots.set(slot, slot.create(scenario));
      return slots.get(slot) as T;
    },
    peek<T>(slot: Slot<T>): T | undefined {
      return slots.get(slot) as T | undefined;
    },
  } as unknown as ScenarioContext;
  return scenario;
}
