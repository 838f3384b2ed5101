import type { V1Service } from "@kubernetes/client-node";
import { defineSlot, type ScenarioContext } from "../scenario/context.ts";

/**
 * What a Service carried when a step of the scenario last looked at it (a type change, a check of its fields, its
 * load-balancer address), so later steps can say what a change kept, or address what the Service had before it.
 */
export interface Remembered {
  clusterIP?: string;
  /** The NodePort of its first port. */
  nodePort?: number;
  /** The load-balancer address "gets a load-balancer address" saw assigned. */
  address?: string;
  /** The last healthCheckNodePort seen, so a check after a type change can tell whether it was released. */
  healthCheckNodePort?: number;
}

/** What the scenario remembers of each of its Services, by Service name. */
const rememberedServices = defineSlot(
  "what the scenario remembers of its Services",
  () => new Map<string, Remembered>(),
);

/** The entry of a Service, created empty on first use (to be filled in). */
export function rememberedOf(scenario: ScenarioContext, name: string): Remembered {
  const map = scenario.slot(rememberedServices);
  const entry = map.get(name) ?? {};
  map.set(name, entry);
  return entry;
}

/** What the scenario remembers of a Service (nothing yet: an empty entry, not stored). */
export function recalled(scenario: ScenarioContext, name: string): Remembered {
  return scenario.peek(rememberedServices)?.get(name) ?? {};
}

/** Remembers the Service as it is now: its first ClusterIP for good, its NodePort and healthCheckNodePort when it has them. */
export function rememberFrom(scenario: ScenarioContext, name: string, service: V1Service): void {
  const entry = rememberedOf(scenario, name);
  entry.clusterIP ??= service.spec?.clusterIP;
  const nodePort = service.spec?.ports?.[0]?.nodePort;
  if (nodePort !== undefined) entry.nodePort = nodePort;
  if (service.spec?.healthCheckNodePort) entry.healthCheckNodePort = service.spec.healthCheckNodePort;
}
