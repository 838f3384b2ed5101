import type { UpstreamCheck } from "./grades.ts";

/** One upstream test both suites ran: how long Kubernetes' e2e.test took, and kubequake's scenarios tagged with it. */
export interface SideBySide {
  readonly id: string;
  readonly test: string;
  readonly upstreamSeconds: number;
  /** The scenarios tagged @upstream:<id>, each counted whole (a scenario covering several tests is not split). */
  readonly kubequakeSeconds: number;
  readonly scenarios: number;
}

/**
 * Pairs each upstream check with e2e.test's result for it (matched by the test's It text inside the spec's full name)
 * and with the kubequake scenarios tagged `@upstream:<id>`; only checks both ran are returned.
 */
export function sideBySide(
  checks: readonly UpstreamCheck[],
  upstream: readonly { name: string; status: string; seconds: number }[],
  scenarios: readonly { tags: readonly string[]; seconds?: number }[],
): SideBySide[] {
  return checks.flatMap((check) => {
    const ran = upstream.find((u) => u.status === "passed" && u.name.includes(check.test));
    const ours = scenarios.filter((s) => s.tags.includes(`@upstream:${check.id}`) && s.seconds !== undefined);
    if (!ran || ours.length === 0) return [];
    return [
      {
        id: check.id,
        test: check.test,
        upstreamSeconds: ran.seconds,
        kubequakeSeconds: ours.reduce((sum, s) => sum + (s.seconds ?? 0), 0),
        scenarios: ours.length,
      },
    ];
  });
}

/**
 * The kubequake side counted once per scenario: the scenarios tagged with any of the compared tests, and their
 * seconds. (A scenario that covers several tests is counted whole for each in the rows.)
 */
export function distinctScenarioSeconds(
  rows: readonly SideBySide[],
  scenarios: readonly { tags: readonly string[]; seconds?: number }[],
): { scenarios: number; seconds: number } {
  const tags = new Set(rows.map((r) => `@upstream:${r.id}`));
  const covering = scenarios.filter((s) => s.seconds !== undefined && s.tags.some((t) => tags.has(t)));
  return { scenarios: covering.length, seconds: covering.reduce((sum, s) => sum + (s.seconds ?? 0), 0) };
}

/** The table `npm run bench` prints: one line per test, then the totals and their ratio. */
export function formatSideBySide(
  rows: readonly SideBySide[],
  distinct?: { scenarios: number; seconds: number },
): string[] {
  if (rows.length === 0)
    return ["kubequake vs e2e.test: no test ran in both (run npm test or kubequake conformance first)"];
  const upstream = rows.reduce((sum, r) => sum + r.upstreamSeconds, 0);
  const ours = rows.reduce((sum, r) => sum + r.kubequakeSeconds, 0);
  return [
    `kubequake vs Kubernetes' e2e.test on the same cluster, ${rows.length} test(s) both ran (seconds; kubequake's scenarios counted whole):`,
    ...rows.map(
      (r) =>
        `  ${r.upstreamSeconds.toFixed(1).padStart(6)}  ${r.kubequakeSeconds.toFixed(1).padStart(6)}  ${(r.kubequakeSeconds / r.upstreamSeconds).toFixed(2).padStart(5)}×  ${r.test}`,
    ),
    `  total: e2e.test ${upstream.toFixed(1)} s, kubequake ${ours.toFixed(1)} s = ${(ours / upstream).toFixed(2)}× (target ≤ 0.5×)`,
    ...(distinct
      ? [
          `  kubequake counted once per scenario: ${distinct.scenarios} scenario(s), ${distinct.seconds.toFixed(1)} s = ${(distinct.seconds / upstream).toFixed(2)}×`,
        ]
      : []),
  ];
}
