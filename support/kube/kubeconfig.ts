import { existsSync } from "node:fs";
import { delimiter } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { UserError } from "../errors/user-error.ts";

/**
 * Which cluster a run talks to, chosen by kubectl's rules
 * (https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/#merging-kubeconfig-files):
 * `--kubeconfig FILE` alone if given; else every file of `KUBECONFIG` (a colon-separated list), merged so that the
 * first file to define a name wins and the current context is the first file's that sets one; else, where kubectl
 * would read ~/.kube/config, kubequake's own kind kubeconfig (its cluster is what a plain `kubequake run` is for).
 * `--context NAME` picks a context without rewriting anyone's current-context.
 */
export interface KubeTarget {
  /** The kubeconfig files read, in order. */
  readonly files: readonly string[];
  /** Why these files: "--kubeconfig", "KUBECONFIG" or "kubequake" (the kind cluster's own kubeconfig). */
  readonly filesFrom: "--kubeconfig" | "KUBECONFIG" | "kubequake";
  /** The context used; "" until {@link loadTarget} reads the files' current-context. */
  readonly context: string;
  readonly contextFrom: "--context" | "current-context";
}

/** The environment variables that carry a resolved target from `kubequake run` into cucumber's workers. */
export const targetEnv = { files: "KUBEQUAKE_TARGET_KUBECONFIG", context: "KUBEQUAKE_TARGET_CONTEXT" } as const;

/** kubectl's choice of files and context, from the flags and the environment (pure: reads no file). */
export function chooseTarget(options: {
  kubeconfig?: string;
  context?: string;
  env: Readonly<Record<string, string | undefined>>;
  defaultKubeconfig: string;
}): KubeTarget {
  const fromEnv = (options.env.KUBECONFIG ?? "").split(delimiter).filter(Boolean);
  const [files, filesFrom]: [string[], KubeTarget["filesFrom"]] = options.kubeconfig
    ? [[options.kubeconfig], "--kubeconfig"]
    : fromEnv.length > 0
      ? [fromEnv, "KUBECONFIG"]
      : [[options.defaultKubeconfig], "kubequake"];
  return {
    files,
    filesFrom,
    context: options.context ?? "",
    contextFrom: options.context ? "--context" : "current-context",
  };
}

/** The target `kubequake run` handed to this process, or else the one its flags and environment choose. */
export function targetFromEnvironment(defaultKubeconfig: string): KubeTarget {
  const files = process.env[targetEnv.files];
  if (files) {
    return {
      files: files.split(delimiter).filter(Boolean),
      filesFrom: "--kubeconfig",
      context: process.env[targetEnv.context] ?? "",
      contextFrom: "--context",
    };
  }
  return chooseTarget({ env: process.env, defaultKubeconfig });
}

/** The environment that hands `target` to child processes (cucumber and its workers). */
export function targetEnvironment(target: KubeTarget): Record<string, string> {
  return { [targetEnv.files]: target.files.join(delimiter), [targetEnv.context]: target.context };
}

/**
 * Reads and merges the target's files as kubectl does (first definition of a name wins; missing files in a
 * KUBECONFIG list are skipped, as kubectl skips them) and selects its context in memory only. Returns the config and
 * the target with its context filled in.
 */
export function loadTarget(target: KubeTarget): { config: KubeConfig; target: KubeTarget } {
  const present = target.filesFrom === "KUBECONFIG" ? target.files.filter((f) => existsSync(f)) : target.files;
  if (present.length === 0) {
    throw new UserError(
      `none of the kubeconfig files in KUBECONFIG exists (${target.files.join(delimiter)})`,
      "point KUBECONFIG (or --kubeconfig) at an existing file, or unset it to use kubequake's own kind cluster.",
    );
  }
  const merged = {
    clusters: [] as KubeConfig["clusters"],
    users: [] as KubeConfig["users"],
    contexts: [] as KubeConfig["contexts"],
    currentContext: "",
  };
  for (const file of present) {
    if (!existsSync(file))
      throw new UserError(
        `no kubeconfig at ${file} (${target.filesFrom === "kubequake" ? "kubequake's own, written by `cluster up`" : `from ${target.filesFrom}`})`,
        target.filesFrom === "kubequake"
          ? "run `npx kubequake cluster up` (it creates the cluster and that file), or name a kubeconfig with --kubeconfig or KUBECONFIG."
          : "give the path of an existing kubeconfig file.",
      );
    const one = new KubeConfig();
    try {
      one.loadFromFile(file);
    } catch (error) {
      throw new UserError(
        `cannot read kubeconfig ${file}: ${error instanceof Error ? error.message.split("\n")[0] : error}`,
        target.filesFrom === "kubequake"
          ? "run `npx kubequake cluster up` (it writes that file), or name another with --kubeconfig / KUBECONFIG."
          : `fix or remove ${file} (it came from ${target.filesFrom}).`,
      );
    }
    const add = <T extends { name: string }>(into: T[], items: readonly T[]) => {
      for (const item of items) if (!into.some((i) => i.name === item.name)) into.push(item);
    };
    add(merged.clusters as { name: string }[], one.clusters);
    add(merged.users as { name: string }[], one.users);
    add(merged.contexts as { name: string }[], one.contexts);
    merged.currentContext ||= one.currentContext ?? "";
  }
  const context = target.context || merged.currentContext;
  const known = merged.contexts.map((c) => c.name);
  if (!context) {
    throw new UserError(
      `the kubeconfig ${present.join(delimiter)} sets no current-context`,
      `name one with --context (known: ${known.join(", ") || "none"}).`,
    );
  }
  if (!known.includes(context)) {
    throw new UserError(
      `the context "${context}" (${target.contextFrom}) is not in ${present.join(delimiter)}`,
      `use one of: ${known.join(", ") || "none (the file has no contexts)"}.`,
    );
  }
  const config = new KubeConfig();
  config.loadFromOptions({ ...merged, currentContext: context });
  return { config, target: { ...target, files: present, context } };
}

/** One line for the start of a run: which files, which context, and why. */
export function describeTarget(target: KubeTarget, ownCluster: boolean): string {
  const files =
    target.filesFrom === "kubequake"
      ? `${target.files[0]} (kubequake's own kind cluster; neither --kubeconfig nor KUBECONFIG is set)`
      : `${target.files.join(delimiter)} (from ${target.filesFrom})`;
  const context =
    target.contextFrom === "--context"
      ? `context "${target.context}" (from --context; the file's current-context is left as it is)`
      : `context "${target.context}" (the current-context${target.files.length > 1 ? " of the first file that sets one" : ""}; --context picks another)`;
  return `cluster: ${context} in ${files}${ownCluster ? "" : " — an existing cluster: kubequake builds and creates nothing there"}`;
}
