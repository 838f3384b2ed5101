import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { type E2ESpec, type E2ESpecList, readSpecList } from "./e2e-specs.ts";

/**
 * How much of an upstream test kubequake proves:
 * - full: a scenario asserts what the upstream test asserts (the note says which assertions);
 * - partial: a scenario checks some of it (the note says exactly which upstream assertion is missing);
 * - not-applicable: the test cannot run on this kind of cluster (the note says why, as checked here);
 * - not-written: nothing covers it yet (the note says what is missing).
 */
export const statuses = ["full", "partial", "not-applicable", "not-written"] as const;
export type CoverageStatus = (typeof statuses)[number];

/** One upstream test with its grade: what docs/COVERAGE.md shows and `@upstream:<id>` tags refer to. */
export interface UpstreamCheck {
  readonly id: string;
  readonly section: string;
  /** The spec's full name, as e2e.test names it. */
  readonly test: string;
  /** test/e2e/network/service.go:123 in the pinned kubernetes version. */
  readonly location: string;
  readonly status: CoverageStatus;
  /** full: the assertions checked; partial: the upstream assertion missing; otherwise: why not. */
  readonly note: string;
}

/** A grade as written in grades.yaml (keyed by id). */
interface WrittenGrade {
  readonly spec?: unknown;
  readonly status?: unknown;
  readonly note?: unknown;
}

export const gradesPath = new URL("../../tooling/coverage/grades.yaml", import.meta.url);

/** The grades joined with the spec list, in the list's order; problems (a spec without a grade …) are returned too. */
export function gradeSpecs(
  list: E2ESpecList,
  written: Record<string, WrittenGrade>,
): { checks: UpstreamCheck[]; problems: string[] } {
  const problems: string[] = [];
  const bySpec = new Map<string, { id: string; grade: WrittenGrade }>();
  for (const [id, grade] of Object.entries(written ?? {})) {
    const where = `tooling/coverage/grades.yaml: ${id}`;
    if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) problems.push(`${where}: an id is lower-case letters, digits and dashes`);
    if (typeof grade?.spec !== "string") {
      problems.push(`${where}: no spec (the upstream test's full name, as in tooling/coverage/e2e-specs.json)`);
      continue;
    }
    if (!statuses.includes(grade.status as CoverageStatus)) {
      problems.push(`${where}: status is ${JSON.stringify(grade.status)}; expected one of ${statuses.join(", ")}`);
    }
    if (typeof grade.note !== "string" || grade.note.trim().length < 10) {
      problems.push(`${where}: the note must say ${noteMeaning(grade.status)}`);
    }
    const other = bySpec.get(grade.spec);
    if (other) problems.push(`${where}: grades the same spec as ${other.id}`);
    bySpec.set(grade.spec, { id, grade });
  }
  const specNames = new Set(list.specs.map((s) => s.name));
  for (const [spec, { id }] of bySpec) {
    if (!specNames.has(spec)) {
      problems.push(
        `tooling/coverage/grades.yaml: ${id}: its spec is not in e2e.test ${list.kubernetesVersion}'s list: "${spec}"`,
      );
    }
  }
  const checks: UpstreamCheck[] = [];
  for (const spec of list.specs) {
    const graded = bySpec.get(spec.name);
    if (!graded) {
      problems.push(`tooling/coverage/grades.yaml: no grade for "${spec.name}" (${spec.location})`);
      continue;
    }
    checks.push(toCheck(spec, graded.id, graded.grade));
  }
  return { checks: orderForReading(checks), problems };
}

function toCheck(spec: E2ESpec, id: string, grade: WrittenGrade): UpstreamCheck {
  return {
    id,
    section: spec.section,
    test: spec.name,
    location: spec.location,
    status: grade.status as CoverageStatus,
    note: String(grade.note ?? "").trim(),
  };
}

function noteMeaning(status: unknown): string {
  switch (status) {
    case "full":
      return "which upstream assertions the scenarios check, in one line";
    case "partial":
      return "exactly which upstream assertion is missing";
    case "not-applicable":
      return "why the test cannot run on this cluster, as checked here";
    default:
      return "what is missing to write it";
  }
}

/** Sections in a reading order (the Service itself first, then its neighbours); specs by name within each. */
const sectionOrder = [
  "Services",
  "Service endpoints latency",
  "Proxy",
  "EndpointSlice",
  "EndpointSliceMirroring",
  "Networking Granular Checks: Services",
  "Conntrack",
  "DNS",
  "DNS HostNetwork",
  "DNS configMap nameserver",
  "LoadBalancers",
  "LoadBalancers ExternalTrafficPolicy: Local",
  "IPv6DualStack",
];

function orderForReading(checks: UpstreamCheck[]): UpstreamCheck[] {
  const rank = (section: string) => {
    const index = sectionOrder.indexOf(section);
    return index === -1 ? sectionOrder.length : index;
  };
  return checks.sort((a, b) => rank(a.section) - rank(b.section) || a.section.localeCompare(b.section));
}

/** The committed list and grades; a file that is missing or unreadable is a problem to report, not a crash. */
function loadChecks(): { checks: UpstreamCheck[]; problems: string[] } {
  try {
    return gradeSpecs(readSpecList(), parse(readFileSync(gradesPath, "utf8")) as Record<string, WrittenGrade>);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { checks: [], problems: [`the upstream test list or its grades cannot be read: ${reason}`] };
  }
}

const loaded = loadChecks();

/** Every upstream test kubequake is graded against, with its grade. */
export const upstreamChecks: readonly UpstreamCheck[] = loaded.checks;

/** What is wrong between the spec list and the grades (empty when they agree). */
export const gradeProblems: readonly string[] = loaded.problems;
