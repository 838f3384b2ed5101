import { ipFamilyVariable, parseIpFamily, parseProxyMode, proxyModeVariable } from "../support/cluster/variant.ts";
import { describeError, UserError } from "../support/errors/user-error.ts";
import { createLogger } from "../support/log/logger.ts";
import { killRunningCommands } from "../support/process/command.ts";
import { parseOptions } from "./options.ts";

const usage = `kubequake — declarative tests and chaos scenarios for Kubernetes Services, on a real kind cluster

Usage:
  kubequake run [paths…] [--tags EXPR] [--parallel N] [--name REGEX] [--no-cluster-up]
                [--kubeconfig FILE] [--context NAME] [--demo-image REF] [--shard I/N] [--durations FILE]
                                  ensure the cluster, run the features, write reports under reports/
                                  (\`kubequake run --help\` explains each option: another cluster, shards…)
  kubequake matrix [paths…] [--tags EXPR] [--proxy-modes LIST]
                                  run the same scenarios on each kube-proxy mode's cluster, one after another, and
                                  join the reports (the mode a parameter) with a side-by-side table of the figures
  kubequake cluster up [--node-image IMAGE] [--kubernetes-version V] [--recreate]
                                  build what is missing (offline) and create or reuse the "kubequake" cluster
                                  (--recreate: delete and create it even if it looks healthy)
  kubequake cluster down          delete the cluster (build caches are kept)
  kubequake cluster status        show engine, cluster, nodes, images and caches; changes nothing
  kubequake conformance [--wide]  run Kubernetes' own Services + DNS conformance tests (e2e.test) against the cluster
  kubequake steps [--out FILE]    print the step catalog (Markdown) generated from the step definitions
  kubequake lint [paths…]         check feature files without a cluster: undefined steps (nearest phrases), tags,
                                  Examples columns, @serial for cluster-wide faults, manifests, numbers; step
                                  definitions no feature uses (run does it first, and refuses with exit code 2)
  kubequake report merge DIR… [--out DIR]
                                  merge the shards' reports (Cucumber, JUnit, Allure with history) into one
  kubequake doctor [--kubeconfig FILE] [--context NAME]
                                  check engine, disk, inotify/pid limits, Node, kubeconfig and context; say how to fix
  kubequake help [command]        this text

Every command also takes:
  --proxy-mode iptables|nftables  kube-proxy's mode in kubequake's own cluster (default iptables). Each mode is its
                        own kind cluster, side by side: "kubequake", "kubequake-nftables" (context kind-<name>,
                        kubeconfig ~/.kube/<name>.config), e.g. kubequake --proxy-mode nftables run. No IPVS: this
                        machine's kernel has none.
  --ip-family ipv4|dual|ipv6  the cluster's IP families (default ipv4). dual: a dual-stack cluster ("kubequake-dual",
                        "kubequake-nftables-dual"); pods and Services get IPv4 and IPv6 addresses. ipv6: an IPv6-only
                        cluster ("kubequake-ipv6", "kubequake-nftables-ipv6"). Both are on their own Docker network
                        "kind-dual" with an IPv6 subnet, sealed in both families.

Environment:
  KUBEQUAKE_PROXY_MODE  as --proxy-mode
  KUBEQUAKE_IP_FAMILY   as --ip-family
  KUBEQUAKE_CACHE       build cache (default ~/.cache/kubequake)
  KUBEQUAKE_KUBECONFIG  kubeconfig written by cluster up (default ~/.kube/<cluster name>.config)
  KUBEQUAKE_DEBUG       comma-separated logger namespaces to show debug output for ("*" for all)
  KUBEQUAKE_VERBOSE     1: show kubequake's stack traces and causes with user errors (for debugging kubequake)
  KUBECONFIG            colon-separated kubeconfig files, merged as kubectl does (--kubeconfig overrides it);
                        unset: kubequake's own kind cluster
  KUBEQUAKE_NO_KUBECONFIG_MERGE  1: cluster up leaves your kubeconfig alone (default: it merges its context into
                        the first KUBECONFIG file or ~/.kube/config, as kind does, without changing a current-context)
  KUBEQUAKE_CHAOS_CONTEXTS  comma-separated kubeconfig contexts besides kind-kubequake where chaos may run
  KUBEQUAKE_MAX_REPLICAS    allow more than 50 replicas per workload
  KUBEQUAKE_LOADBALANCER_WAIT  seconds a probe LoadBalancer Service may take to get an address before scenarios
                        tagged @needs:loadbalancer are skipped (default 30)

Versions of everything built are pinned in cluster/versions.env.`;

/**
 * Takes `--proxy-mode MODE` out of the arguments, wherever it stands, into KUBEQUAKE_PROXY_MODE: every command (and
 * the run's cucumber workers, which inherit the environment) then works on that variant's cluster.
 */
export function takeProxyMode(argv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  return takeVariantOption(argv, "--proxy-mode", "give --proxy-mode iptables or --proxy-mode nftables.", (value) => {
    env[proxyModeVariable] = parseProxyMode(value, "--proxy-mode");
  });
}

/** As {@link takeProxyMode}, for `--ip-family FAMILY` into KUBEQUAKE_IP_FAMILY. */
export function takeIpFamily(argv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  return takeVariantOption(
    argv,
    "--ip-family",
    "give --ip-family ipv4, --ip-family dual or --ip-family ipv6.",
    (value) => {
      env[ipFamilyVariable] = parseIpFamily(value, "--ip-family");
    },
  );
}

function takeVariantOption(
  argv: readonly string[],
  option: string,
  fix: string,
  take: (value: string) => void,
): string[] {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const inline = arg.startsWith(`${option}=`) ? arg.slice(option.length + 1) : undefined;
    if (arg !== option && inline === undefined) {
      rest.push(arg);
      continue;
    }
    const value = inline ?? argv[++i];
    // `--proxy-mode --no-cluster-up` is a missing value, not a mode called "--no-cluster-up".
    if (value === undefined || value === "" || value.startsWith("-"))
      throw new UserError(`${option} needs a value`, fix, { exitCode: 2 });
    take(value);
  }
  return rest;
}

/** Runs one CLI invocation and returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let args: string[];
  try {
    args = takeIpFamily(takeProxyMode(argv, process.env), process.env);
  } catch (error) {
    console.error(`kubequake: ${describeError(error)}`);
    return error instanceof UserError ? error.exitCode : 1;
  }
  const [command, ...rest] = args;
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) process.exit(130);
    process.stderr.write(
      `\nkubequake: ${signal} received, stopping and cleaning up (press Ctrl-C again to quit at once)\n`,
    );
    stop.abort(new UserError(`interrupted by ${signal}`, "run the command again when ready."));
    killRunningCommands();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    switch (command) {
      case undefined:
      case "help":
      case "--help":
      case "-h":
        console.log(usage);
        return 0;
      case "cluster":
        return await clusterCommand(rest, stop.signal);
      case "matrix": {
        const { matrixCommand } = await import("./matrix.ts");
        return await matrixCommand(rest, stop.signal);
      }
      case "run": {
        const { runCommandLine } = await import("./run.ts");
        return await runCommandLine(rest, stop.signal);
      }
      case "conformance": {
        const { conformanceCommand } = await import("./conformance.ts");
        return await conformanceCommand(rest, stop.signal);
      }
      case "report": {
        const { reportCommand } = await import("./report.ts");
        return await reportCommand(rest);
      }
      case "doctor": {
        const { doctorCommand } = await import("./doctor.ts");
        return await doctorCommand(rest);
      }
      case "steps": {
        const { stepsCommand } = await import("./steps.ts");
        return await stepsCommand(rest);
      }
      case "lint": {
        const { lintCommand } = await import("./lint.ts");
        return await lintCommand(rest);
      }
      default:
        throw new UserError(
          `unknown command "${command}"; expected run, matrix, cluster, conformance, steps, lint, report, doctor or help.`,
          "see `npx kubequake --help`.",
        );
    }
  } catch (error) {
    console.error(`kubequake: ${describeError(error)}`);
    if (process.env.KUBEQUAKE_DEBUG && error instanceof Error) console.error(error.stack);
    return stop.signal.aborted ? 130 : error instanceof UserError ? error.exitCode : 1;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

async function clusterCommand(argv: readonly string[], signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseOptions("cluster", argv, {
    allowPositionals: true,
    options: {
      "node-image": { type: "string" },
      "kubernetes-version": { type: "string" },
      recreate: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const log = createLogger("cluster");
  const toolchain = await import("../tooling/cluster-build/toolchain.ts");
  switch (values.help ? "help" : positionals[0]) {
    case "up": {
      const started = performance.now();
      await toolchain.clusterUp(
        {
          nodeImage: values["node-image"],
          kubernetesVersion: values["kubernetes-version"],
          recreate: values.recreate,
          signal,
        },
        log,
      );
      const { formatDuration } = await import("../tooling/cluster-build/build.ts");
      log.info(`ready in ${formatDuration((performance.now() - started) / 1000)}`);
      await mergeKubeconfig(log);
      return 0;
    }
    case "down":
      await toolchain.clusterDown(log);
      return 0;
    case "status": {
      const status = await toolchain.clusterStatus();
      console.log(status.lines.join("\n"));
      return status.healthy ? 0 : 3;
    }
    case "help":
      console.log(usage);
      return 0;
    default:
      throw new UserError(
        `unknown cluster subcommand "${positionals[0] ?? ""}"; expected up, down or status.`,
        "see `npx kubequake --help`.",
      );
  }
}

/**
 * As kind does, `cluster up` merges its context into the user's kubeconfig so kubectl works right after it (the
 * current-context is set only where there is none). KUBEQUAKE_NO_KUBECONFIG_MERGE=1 keeps the user's file untouched.
 */
async function mergeKubeconfig(log: ReturnType<typeof createLogger>): Promise<void> {
  const { clusterName, kubeconfigPath } = await import("../support/cluster/kind.ts");
  const { mergeContextInto, userKubeconfigPath } = await import("../support/kube/kubeconfig-merge.ts");
  const target = userKubeconfigPath(process.env);
  if (process.env.KUBEQUAKE_NO_KUBECONFIG_MERGE) {
    log.info(
      `kubeconfig: not merged into ${target} (KUBEQUAKE_NO_KUBECONFIG_MERGE is set); use KUBECONFIG=${kubeconfigPath}`,
    );
    return;
  }
  try {
    log.info(mergeContextInto(target, kubeconfigPath, `kind-${clusterName}`));
  } catch (error) {
    log.warn(
      `kubeconfig: could not merge into ${target} (${error instanceof Error ? error.message : error}); use KUBECONFIG=${kubeconfigPath}`,
    );
  }
}
