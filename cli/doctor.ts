import { clusterName, kubeconfigPath } from "../support/cluster/kind.ts";
import { describeError } from "../support/errors/user-error.ts";
import { connectKube } from "../support/kube/client.ts";
import { chooseTarget, describeTarget, loadTarget } from "../support/kube/kubeconfig.ts";
import { runCommand } from "../support/process/command.ts";
import { cacheRoot } from "../tooling/cluster-build/cache.ts";
import { dockerAnswers } from "../tooling/cluster-build/docker.ts";
import {
  diskFinding,
  type Finding,
  formatFindings,
  freeBytes,
  inotifyFinding,
  nodeFinding,
  pidFinding,
  readMaxProcesses,
  readNumber,
} from "../tooling/doctor/checks.ts";
import { parseOptions } from "./options.ts";

const help = `kubequake doctor [--kubeconfig FILE] [--context NAME]

Checks this machine and the cluster kubequake would use, changes nothing, and says how to fix each problem:
the container engine, free disk for the cache and Docker, inotify and pid limits, the Node.js version, and the
kubeconfig and context (chosen as \`kubequake run\` chooses them) and whether its API server answers.
Exit code: 0 when nothing failed (warnings allowed), 1 otherwise.`;

/** `kubequake doctor`. */
export async function doctorCommand(argv: readonly string[]): Promise<number> {
  const { values } = parseOptions("doctor", argv, {
    options: { kubeconfig: { type: "string" }, context: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    console.log(help);
    return 0;
  }
  const findings: Finding[] = [nodeFinding(process.version)];
  const engine = await dockerAnswers();
  findings.push(
    engine.answers
      ? { check: "container engine", status: "ok", seen: `Docker ${engine.version} (runtime ${engine.runtime})` }
      : {
          check: "container engine",
          status: "fail",
          seen: "no Docker engine answers",
          fix: "`npx kubequake cluster up` installs and starts one (Debian's docker.io); or start yours (`systemctl start docker`).",
        },
  );
  findings.push(diskFinding("build cache", cacheRoot, freeBytes(cacheRoot)));
  if (engine.answers) {
    const root = await runCommand("docker", ["info", "--format", "{{.DockerRootDir}}"], { timeoutMs: 15_000 })
      .then((r) => r.stdout.trim())
      .catch(() => "");
    if (root) findings.push(diskFinding("Docker images", root, freeBytes(root)));
  }
  findings.push(
    inotifyFinding(
      readNumber("/proc/sys/fs/inotify/max_user_instances"),
      readNumber("/proc/sys/fs/inotify/max_user_watches"),
    ),
  );
  findings.push(pidFinding(readNumber("/proc/sys/kernel/pid_max"), readMaxProcesses()));
  findings.push(...(await clusterFindings(values.kubeconfig, values.context)));
  console.log(formatFindings(findings));
  const failed = findings.filter((f) => f.status === "fail").length;
  const warned = findings.filter((f) => f.status === "warn").length;
  console.log(`\n${findings.length} checks: ${failed} failed, ${warned} warning(s)`);
  return failed > 0 ? 1 : 0;
}

async function clusterFindings(kubeconfig: string | undefined, context: string | undefined): Promise<Finding[]> {
  let target: ReturnType<typeof loadTarget>["target"];
  try {
    target = loadTarget(
      chooseTarget({ kubeconfig, context, env: process.env, defaultKubeconfig: kubeconfigPath }),
    ).target;
  } catch (error) {
    return [
      {
        check: "kubeconfig",
        status: "fail",
        seen: describeError(error).split("\n")[0] ?? "",
        fix:
          describeError(error).split("what to do: ")[1] ??
          "run `npx kubequake cluster up` for kubequake's own cluster, or name a kubeconfig with --kubeconfig.",
      },
    ];
  }
  const own = target.context === `kind-${clusterName}`;
  const findings: Finding[] = [
    { check: "kubeconfig", status: "ok", seen: describeTarget(target, own).replace(/^cluster: /, "") },
  ];
  try {
    const kube = await connectKube(target);
    const nodes = await Promise.race([
      kube.core.listNode(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no answer within 10 s")), 10_000).unref()),
    ]);
    findings.push({
      check: "API server",
      status: "ok",
      seen: `${kube.server} answers: ${nodes.items.length} node(s)`,
    });
  } catch (error) {
    findings.push({
      check: "API server",
      status: "fail",
      seen: `context "${target.context}" does not answer: ${describeError(error).split("\n")[0]}`,
      fix: own
        ? "`npx kubequake cluster up` creates or repairs kubequake's cluster."
        : `check the cluster and your credentials with \`kubectl --context ${target.context} get nodes\`.`,
    });
  }
  return findings;
}
