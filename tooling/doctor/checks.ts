import { existsSync, readFileSync, statfsSync } from "node:fs";
import { dirname } from "node:path";

/** One thing `kubequake doctor` looked at: what it saw and, unless it is fine, how to fix it. */
export interface Finding {
  readonly check: string;
  readonly status: "ok" | "warn" | "fail";
  readonly seen: string;
  readonly fix?: string;
}

/** Node: the project needs ≥ 22 (cucumber-js 13, undici 8, client-node 2); npm scripts and npx bring its own 24. */
export function nodeFinding(version: string): Finding {
  const major = Number(version.replace(/^v/, "").split(".")[0]);
  return major >= 22
    ? { check: "Node.js", status: "ok", seen: version }
    : {
        check: "Node.js",
        status: "fail",
        seen: `${version} (kubequake needs ≥ 22)`,
        fix: "run kubequake through npm or npx (`npx kubequake …`): they put the project's Node 24 (node_modules/.bin) first on PATH; `bash scripts/bootstrap.sh` installs it.",
      };
}

/** Free space where the build cache and Docker's images live: a cold build needs about 10 GB, a warm run 2 GB. */
export function diskFinding(label: string, path: string, freeBytes: number | undefined): Finding {
  const check = `disk (${label})`;
  if (freeBytes === undefined) return { check, status: "warn", seen: `cannot read free space of ${path}` };
  const gb = freeBytes / 1e9;
  const seen = `${gb.toFixed(1)} GB free at ${path}`;
  if (gb >= 10) return { check, status: "ok", seen };
  return {
    check,
    status: gb >= 2 ? "warn" : "fail",
    seen,
    fix: `free space on ${path}: \`docker image prune\`, \`docker builder prune\`, or move the cache with KUBEQUAKE_CACHE; a cold build needs about 10 GB.`,
  };
}

/** kind's known-issues page: a multi-node cluster needs more inotify instances and watches than distributions set. */
export function inotifyFinding(instances: number | undefined, watches: number | undefined): Finding {
  const check = "inotify limits";
  if (instances === undefined || watches === undefined)
    return { check, status: "warn", seen: "cannot read /proc/sys/fs/inotify" };
  const seen = `max_user_instances ${instances}, max_user_watches ${watches}`;
  if (instances >= 512 && watches >= 524288) return { check, status: "ok", seen };
  return {
    check,
    status: "fail",
    seen: `${seen} (kind needs ≥ 512 and ≥ 524288 for 3 nodes)`,
    fix: "sysctl -w fs.inotify.max_user_instances=512 fs.inotify.max_user_watches=524288 (and put them in /etc/sysctl.d/ to keep them); see https://kind.sigs.k8s.io/docs/user/known-issues/#pod-errors-due-to-too-many-open-files",
  };
}

/** Three nodes, their pods, the prober and the build all need processes: warn when the limits are small. */
export function pidFinding(pidMax: number | undefined, maxProcesses: number | undefined): Finding {
  const check = "pid limits";
  if (pidMax === undefined) return { check, status: "warn", seen: "cannot read /proc/sys/kernel/pid_max" };
  const seen = `kernel.pid_max ${pidMax}, max processes per user ${maxProcesses ?? "unknown"}`;
  if (pidMax >= 32768 && (maxProcesses === undefined || maxProcesses >= 8192)) return { check, status: "ok", seen };
  return {
    check,
    status: "warn",
    seen,
    fix: "raise them: sysctl -w kernel.pid_max=4194304, and `ulimit -u unlimited` (or LimitNPROC in the service running kubequake).",
  };
}

export function readNumber(path: string): number | undefined {
  try {
    const value = Number(readFileSync(path, "utf8").trim());
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** "Max processes" soft limit of this process, from /proc/self/limits. */
export function readMaxProcesses(): number | undefined {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max processes"));
    const soft = line?.split(/\s{2,}/)[1];
    return soft === "unlimited" ? Number.POSITIVE_INFINITY : soft ? Number(soft) : undefined;
  } catch {
    return undefined;
  }
}

/** Free bytes of the file system holding `path` (its nearest existing ancestor). */
export function freeBytes(path: string): number | undefined {
  let at = path;
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  try {
    const stats = statfsSync(at);
    return stats.bavail * stats.bsize;
  } catch {
    return undefined;
  }
}

/** The report: one line per check, the fix under each that is not fine. */
export function formatFindings(findings: readonly Finding[]): string {
  const mark = { ok: "ok  ", warn: "WARN", fail: "FAIL" } as const;
  const width = Math.max(...findings.map((f) => f.check.length));
  return findings
    .map((f) => `${mark[f.status]}  ${f.check.padEnd(width)}  ${f.seen}${f.fix ? `\n      fix: ${f.fix}` : ""}`)
    .join("\n");
}
