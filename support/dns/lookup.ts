import { type DnsProbeResult, probeDns } from "../kube/prober.ts";
import type { ScenarioContext } from "../scenario/context.ts";

export type RecordType = "A" | "SRV" | "CNAME";

/** Resolves `name` once from a client pod of the scenario (its resolv.conf: cluster DNS and search domains). */
export async function resolveName(context: ScenarioContext, name: string, type: RecordType): Promise<DnsProbeResult> {
  const client = await context.client();
  const [result] = await probeDns(context.kube, context.name, client, { name, type, count: 1 });
  if (!result) throw new Error(`the prober returned no result for ${type} ${name}`);
  context.note(
    `${client} resolve ${type} ${name}: ${result.ok ? (result.answers ?? []).join(" ") : `${result.errorKind} ${result.error}`}`,
  );
  return result;
}

export function describeLookup(result: DnsProbeResult): string {
  return result.ok ? `[${(result.answers ?? []).join(", ")}]` : `${result.errorKind || "error"} (${result.error})`;
}
