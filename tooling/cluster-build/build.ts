import { mkdirSync, statfsSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../../support/errors/user-error.ts";
import type { Logger } from "../../support/log/logger.ts";
import { CommandError, killRunningCommands } from "../../support/process/command.ts";
import { cacheRoot } from "./cache.ts";
import { isStageReady, type ResolvedStage, resolveStages } from "./stages.ts";
import { type PinnedVersions, versionsFile } from "./versions.ts";

export const logDir = join(cacheRoot, "logs");
const gib = 1024 ** 3;

/** What happened to one build stage in a `cluster up` (for progress output and the benchmark). */
export interface StageOutcome {
  readonly name: string;
  readonly outcome: "cached" | "built";
  readonly seconds: number;
  readonly location: string;
}

function checkDisk(path: string, neededBytes: number, purpose: string): void {
  mkdirSync(path, { recursive: true });
  const stats = statfsSync(path);
  const free = stats.bavail * stats.bsize;
  if (free < neededBytes) {
    throw new UserError(
      `not enough disk for ${purpose}: ${(free / gib).toFixed(1)} GiB free at ${path}, at least ${(neededBytes / gib).toFixed(0)} GiB needed.`,
      `free space on that filesystem (docker system prune, or remove old entries under ${cacheRoot}), or point KUBEQUAKE_CACHE at a larger disk.`,
    );
  }
}

/**
 * Builds every stage that is not cached yet, in dependency order; independent stages run two at a time.
 * `only` limits the build to those stages and what they need; it is also the only way to build on-demand stages.
 * `resolved` is the pinned stages unless a test hands in its own.
 */
export async function buildStages(
  versions: PinnedVersions,
  log: Logger,
  only?: readonly string[],
  signal?: AbortSignal,
  resolved: Map<string, ResolvedStage> = resolveStages(versions, { includeOnDemand: only !== undefined }),
): Promise<StageOutcome[]> {
  const wanted = only ? closure(resolved, only) : [...resolved.values()];
  const report: StageOutcome[] = [];
  const ready = new Set<string>();
  for (const stage of wanted) if (await isStageReady(stage)) ready.add(stage.stage.name);
  const pending = wanted.filter((s) => !ready.has(s.stage.name));
  for (const stage of wanted.filter((s) => ready.has(s.stage.name))) {
    report.push({ name: stage.stage.name, outcome: "cached", seconds: 0, location: location(stage) });
    log.info(`${stage.stage.name.padEnd(17)} cached   ${location(stage)}`);
  }
  if (pending.length > 0) {
    checkDisk(cacheRoot, 20 * gib, `building ${pending.map((s) => s.stage.name).join(", ")}`);
    checkDisk("/var/lib", 10 * gib, "Docker images");
    mkdirSync(logDir, { recursive: true });
    log.info(
      `building ${pending.length} stage(s) into ${cacheRoot} (logs in ${logDir}); a cold build takes about 15 minutes on 2 cores`,
    );
  }
  const running = new Map<string, Promise<string>>();
  const aborted = abortion(signal);
  try {
    while (pending.length > 0 || running.size > 0) {
      signal?.throwIfAborted();
      const startable = pending.filter((s) => s.stage.needs.every((need) => ready.has(need) || !resolved.has(need)));
      while (running.size < 2 && startable.length > 0) {
        const stage = startable.shift()!;
        const name = stage.stage.name;
        pending.splice(pending.indexOf(stage), 1);
        running.set(
          name,
          buildOne(stage, resolved, versions, log, report).then(() => {
            ready.add(name);
            return name;
          }),
        );
      }
      if (running.size === 0)
        throw new Error(`build stages cannot start: ${pending.map((s) => s.stage.name).join(", ")}`);
      running.delete(await Promise.race([...running.values(), aborted.promise]));
    }
  } catch (error) {
    // A failed stage (or Ctrl-C) stops its siblings: only builds run while this does, so every command this process
    // started is one of theirs; they are awaited, so no build keeps running behind the error.
    if (running.size > 0) {
      killRunningCommands();
      const outcomes = await Promise.allSettled(running.values());
      const stopped = [...running.keys()].filter((_, i) => outcomes[i]!.status === "rejected");
      if (stopped.length > 0) log.warn(`build stopped: ${stopped.join(", ")} (nothing half-built is cached)`);
    }
    throw error;
  } finally {
    aborted.dispose();
  }
  return report;
}

/** A promise that rejects with the signal's reason when it aborts (never otherwise), and its clean-up. */
function abortion(signal: AbortSignal | undefined): { promise: Promise<never>; dispose: () => void } {
  let dispose = () => {};
  const promise = new Promise<never>((_, reject) => {
    if (!signal) return;
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    dispose = () => signal.removeEventListener("abort", onAbort);
  });
  promise.catch(() => undefined);
  return { promise, dispose };
}

async function buildOne(
  stage: ResolvedStage,
  resolved: Map<string, ResolvedStage>,
  versions: PinnedVersions,
  log: Logger,
  report: StageOutcome[],
): Promise<void> {
  const started = performance.now();
  const logFile = join(logDir, `${stage.stage.name}-${stage.key}.log`);
  log.info(`${stage.stage.name.padEnd(17)} building ${stage.stage.summary} (log: ${logFile})`);
  const need = (name: string) => {
    const dependency = resolved.get(name);
    if (!dependency) throw new Error(`stage ${stage.stage.name} needs unknown stage ${name}`);
    return dependency;
  };
  try {
    await stage.entry.fill((outputDir) =>
      stage.stage.build({
        versions,
        key: stage.key,
        outputDir,
        logFile,
        dirOf: (name) => need(name).entry.path,
        imageOf: (name) => need(name).image ?? "",
      }),
    );
  } catch (error) {
    throw explainBuildFailure(stage, versions, logFile, error);
  }
  const took = (performance.now() - started) / 1000;
  report.push({ name: stage.stage.name, outcome: "built", seconds: took, location: location(stage) });
  log.info(`${stage.stage.name.padEnd(17)} built    in ${formatDuration(took)}  ${location(stage)}`);
}

function explainBuildFailure(stage: ResolvedStage, versions: PinnedVersions, logFile: string, error: unknown): Error {
  const output = error instanceof CommandError ? `${error.result.stderr}\n${error.result.stdout}` : String(error);
  if (/403 Forbidden|404 Not Found|not available|unknown revision|invalid version/i.test(output)) {
    return new UserError(
      `stage ${stage.stage.name}: a pinned module version is not served by the Go module proxy (see ${logFile}). Pinned: ${relevantVersions(stage.stage.name, versions)}.`,
      `pick a served version (go list -m -versions <module>) in ${versionsFile} and run again.`,
      { cause: error },
    );
  }
  return new UserError(
    `stage ${stage.stage.name} failed: ${error instanceof Error ? error.message : String(error)}`,
    `read ${logFile}; fix the cause and run again (finished stages stay cached).`,
    { cause: error },
  );
}

function relevantVersions(stage: string, versions: PinnedVersions): string {
  const keys: Record<string, (keyof PinnedVersions)[]> = {
    kubernetes: ["KUBERNETES_VERSION", "KUBERNETES_STAGING_VERSION"],
    "e2e-tests": ["KUBERNETES_VERSION", "KUBERNETES_STAGING_VERSION"],
    kind: ["KIND_VERSION"],
    etcd: ["ETCD_VERSION"],
    coredns: ["COREDNS_VERSION"],
    crictl: ["CRICTL_VERSION"],
    "cni-plugins": ["CNI_PLUGINS_VERSION"],
    flannel: ["FLANNEL_VERSION"],
    metallb: ["METALLB_VERSION"],
  };
  return (keys[stage] ?? []).map((k) => `${k}=${versions[k]}`).join(", ") || "(none)";
}

function closure(resolved: Map<string, ResolvedStage>, names: readonly string[]): ResolvedStage[] {
  const result = new Set<ResolvedStage>();
  const visit = (name: string) => {
    const stage = resolved.get(name);
    if (!stage || result.has(stage)) return;
    for (const need of stage.stage.needs) visit(need);
    result.add(stage);
  };
  for (const name of names) visit(name);
  return [...result];
}

export function location(stage: ResolvedStage): string {
  return stage.image ? `image ${stage.image}` : stage.entry.path;
}

export function seconds(started: number): string {
  return formatDuration((performance.now() - started) / 1000);
}

export function formatDuration(totalSeconds: number): string {
  if (totalSeconds < 60) return `${totalSeconds.toFixed(1)}s`;
  const minutes = Math.floor(totalSeconds / 60);
  return `${minutes}m${String(Math.round(totalSeconds % 60)).padStart(2, "0")}s`;
}
