import { UserError } from "../support/errors/user-error.ts";
import { createLogger } from "../support/log/logger.ts";
import { parseOptions } from "./options.ts";

const help = `kubequake conformance [--wide | --dual-stack] [--procs N] [--no-cluster-up] [--proxy-mode M] [--ip-family F]

Runs Kubernetes' own e2e tests (e2e.test of KUBERNETES_VERSION in cluster/versions.env) against the kubequake
cluster and prints pass/fail/skip with each test's time; every skip carries its reason.

  (default)   the 25 [Conformance] tests of Services and DNS: \\[sig-network\\] (Services|DNS) .*\\[Conformance\\]
  --wide      every Services, DNS and "Networking Granular Checks: Services" test that this 3-node, single-stack,
              cloud-less cluster can run side by side: no Serial, Disruptive, Slow, LoadBalancer, Feature, Provider,
              IPv6, SCTP (79 tests; several wait minutes by design: about 10 minutes at --procs 3)
  --dual-stack  upstream's dual-stack tests, \\[Feature:IPv6DualStack\\] without SCTP (22 tests): node, pod and
              Service addresses of each family and the Services granular checks over the IPv6 ClusterIP; needs the
              dual-stack cluster (--ip-family dual)

  --proxy-mode, --ip-family  the cluster variant to test (as for \`kubequake cluster up\`; default iptables, ipv4)

  --procs N   run N specs at a time (the ginkgo CLI's --procs; default 3; 1 runs e2e.test alone and streams each
              spec's start as well as its end)

The first run builds e2e.test, agnhost and kubectl from the Go module proxy and the test image (cached like every
other stage, under KUBEQUAKE_CACHE), then loads the image into every node; later runs reuse both.
Ensures the cluster first (cluster up reuses a healthy one in seconds) unless --no-cluster-up is given.
Writes reports/conformance/<set>/junit_01.xml (e2e.test's own, every spec) and e2e.log (its full output), and
reports/junit/conformance-<set>.xml (only the tests that ran). KUBEQUAKE_REPORTS=DIR writes them under DIR instead.
Exit code: 0 when no test failed, 1 otherwise (also when tests are missing from the report), 130 when interrupted.`;

/** `kubequake conformance`: Kubernetes' own Services and DNS tests against the cluster. */
export async function conformanceCommand(argv: readonly string[], signal: AbortSignal): Promise<number> {
  const { values } = parseOptions("conformance", argv, {
    options: {
      wide: { type: "boolean" },
      "dual-stack": { type: "boolean" },
      procs: { type: "string" },
      "no-cluster-up": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(help);
    return 0;
  }
  const procs = values.procs ?? "3";
  if (!/^[1-9]\d*$/.test(procs)) {
    throw new UserError(`--procs expects a whole number of at least 1, saw "${procs}"`, "e.g. --procs 3");
  }
  if (values.wide && values["dual-stack"]) {
    throw new UserError("--wide and --dual-stack choose different test sets; give one of them", "e.g. --dual-stack", {
      exitCode: 2,
    });
  }
  const { ipFamily, clusterName } = await import("../support/cluster/kind.ts");
  if (values["dual-stack"] && ipFamily !== "dual") {
    throw new UserError(
      `--dual-stack tests a dual-stack cluster, but this run's cluster "${clusterName}" is ${ipFamily} only`,
      "add --ip-family dual (the dual-stack cluster is made on first use, about 2 minutes).",
      { exitCode: 2 },
    );
  }
  const { conformanceSelection, dualStackSelection, wideSelection } = await import(
    "../tooling/conformance/selections.ts"
  );
  const { runConformance } = await import("../tooling/conformance/run.ts");
  const { formatResultTable, formatTally, progressPrinter } = await import("../tooling/conformance/summary.ts");
  const log = createLogger("conformance");
  if (!values["no-cluster-up"]) {
    const { clusterUp } = await import("../tooling/cluster-build/toolchain.ts");
    await clusterUp({ signal }, createLogger("cluster"));
  }
  const selection = values.wide ? wideSelection : values["dual-stack"] ? dualStackSelection : conformanceSelection;
  const reports = process.env.KUBEQUAKE_REPORTS ?? "reports";
  const run = await runConformance({
    selection,
    reportsDir: `${reports}/conformance/${selection.name}`,
    summaryJUnitPath: `${reports}/junit/conformance-${selection.name}.xml`,
    log,
    signal,
    onProgress: progressPrinter((line) => log.info(line)),
    procs: Number(procs),
    timeoutMinutes: values.wide ? 90 : 30,
  });
  console.log(formatResultTable(run).join("\n"));
  console.log(`JUnit: ${run.junitPath}\nfull output: ${run.logPath}`);
  console.log(formatTally(run));
  return run.failed === 0 && run.missing === 0 && run.exitCode === 0 ? 0 : 1;
}
