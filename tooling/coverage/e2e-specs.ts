import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UserError } from "../../support/errors/user-error.ts";
import { runCommand } from "../../support/process/command.ts";

/**
 * The upstream tests kubequake's coverage is graded against: Kubernetes' sig-network specs about Services, as the
 * pinned e2e.test lists them. A regular expression over each spec's full name (Kubernetes writes labels such as
 * "[Conformance]" into it).
 */
export const upstreamFocus = String.raw`^\[sig-network\] (Services|DNS|EndpointSlice|EndpointSliceMirroring|Networking Granular Checks: Services|Conntrack|LoadBalancers|\[Feature:IPv6DualStack\]|Proxy version v1 should proxy through a service|Service endpoints latency)`;

/** One spec of e2e.test, as its dry run reports it. */
export interface E2ESpec {
  /** The full text: container texts and the It text, space-separated, as e2e.test's reports name it. */
  readonly name: string;
  /** The outermost container below "[sig-network]" ("Services", "DNS", …): the section it is shown under. */
  readonly section: string;
  /** Where the It is, relative to the kubernetes repository (test/e2e/network/service.go:123). */
  readonly location: string;
}

/** What `node scripts/coverage.ts --list` writes: the specs, and what they were listed from. */
export interface E2ESpecList {
  readonly kubernetesVersion: string;
  readonly focus: string;
  readonly specs: readonly E2ESpec[];
}

/** The subset of Ginkgo's JSON report that names a spec (ginkgo/v2 types.SpecReport). */
interface GinkgoSpecReport {
  readonly ContainerHierarchyTexts: readonly string[] | null;
  readonly LeafNodeType: string;
  readonly LeafNodeText: string;
  readonly LeafNodeLocation: { readonly FileName: string; readonly LineNumber: number };
}

/**
 * Lists the specs of `e2eTest` whose names `upstreamFocus` selects, without running any: `--ginkgo.dry-run` walks the
 * whole spec tree and writes the JSON report a real run would, every spec named. No cluster is contacted. The
 * selection is applied here, to the names as reported, rather than by `--ginkgo.focus` (which does not match "^" at
 * the start of those names).
 */
export async function listE2ESpecs(e2eTest: string, kubernetesVersion: string): Promise<E2ESpecList> {
  const dir = mkdtempSync(join(tmpdir(), "kubequake-e2e-list-"));
  try {
    const report = join(dir, "report.json");
    const result = await runCommand(
      e2eTest,
      [
        "--provider=skeleton",
        "--ginkgo.dry-run",
        "--ginkgo.no-color",
        `--ginkgo.json-report=${report}`,
        `--report-dir=${dir}`,
      ],
      { timeoutMs: 120_000, allowFailure: true, cwd: dir },
    );
    let text: string;
    try {
      text = readFileSync(report, "utf8");
    } catch {
      throw new UserError(
        `e2e.test --ginkgo.dry-run wrote no report (exit ${result.exitCode}): ${result.stderr.trim().split("\n").slice(-3).join(" | ")}`,
        `run ${e2eTest} --help to check that it starts; rebuild it with \`npx kubequake conformance\`.`,
      );
    }
    return {
      kubernetesVersion,
      focus: upstreamFocus,
      specs: specsOfReport(JSON.parse(text), new RegExp(upstreamFocus)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The It specs of a Ginkgo JSON report (an array of suite reports) whose names match, sorted by name, each once. */
export function specsOfReport(report: unknown, selected: RegExp = /./): E2ESpec[] {
  const suites = Array.isArray(report) ? report : [report];
  const byName = new Map<string, E2ESpec>();
  for (const suite of suites as { SpecReports?: GinkgoSpecReport[] | null }[]) {
    for (const spec of suite.SpecReports ?? []) {
      if (spec.LeafNodeType !== "It") continue;
      const containers = spec.ContainerHierarchyTexts ?? [];
      const name = [...containers, spec.LeafNodeText].join(" ");
      if (!selected.test(name)) continue;
      byName.set(name, {
        name,
        section: sectionOf(containers),
        location: `${repositoryPath(spec.LeafNodeLocation.FileName)}:${spec.LeafNodeLocation.LineNumber}`,
      });
    }
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The section a spec is shown under: its outermost container without "[sig-network]" and labels ("[sig-network]
 * LoadBalancers [Feature:LoadBalancer]" → "LoadBalancers"); a label alone names it when nothing else does
 * ("[Feature:IPv6DualStack]" → "IPv6DualStack"); "Networking" is too broad, so its next container is added.
 */
export function sectionOf(containers: readonly string[]): string {
  const [first = "", second = ""] = containers.map((text) => text.replace(/^\[sig-network\]\s*/, ""));
  const plain = (text: string) => text.replace(/\s*\[[^\]]*\]/g, "").trim();
  const top = plain(first) || /\[(?:Feature:)?([^\]]+)\]/.exec(first)?.[1] || plain(second) || "(none)";
  return top === "Networking" && plain(second) ? `${top} ${plain(second)}` : top;
}

/**
 * A source path as a path in the kubernetes repository: e2e.test is built with -trimpath, so its file names are
 * module paths ("k8s.io/kubernetes@v1.34.4/test/e2e/network/service.go"); a local build has absolute ones.
 */
export function repositoryPath(fileName: string): string {
  const match = /(?:^|\/)k8s\.io\/kubernetes(?:@[^/]+)?\/(.*)$/.exec(fileName) ?? /\/(test\/e2e\/.*)$/.exec(fileName);
  return match?.[1] ?? fileName;
}

/** The file the list is kept in (generated; `npm test` checks it against the pinned e2e.test). */
export const specListPath = new URL("../../tooling/coverage/e2e-specs.json", import.meta.url);

export function readSpecList(): E2ESpecList {
  return JSON.parse(readFileSync(specListPath, "utf8")) as E2ESpecList;
}

export function formatSpecList(list: E2ESpecList): string {
  return `${JSON.stringify(list, null, 1)}\n`;
}
