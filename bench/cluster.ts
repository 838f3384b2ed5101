// `npm run bench:cluster`: cluster toolchain figures (not a timed test; it only prints).
//   default:  fresh 3-node cluster from cached images, reuse of a healthy cluster, node image size
//   --cold:   every build stage from empty caches (fresh KUBEQUAKE_CACHE, GOCACHE and GOMODCACHE in a temp dir),
//             leaving the live cluster and the real caches alone
//   --help:   this text
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { answerBenchArguments } from "./options.ts";

answerBenchArguments(
  process.argv.slice(2),
  { name: "npm run bench:cluster", flags: ["--cold"], soak: false },
  new URL(import.meta.url),
);
const cold = process.argv.includes("--cold");
const figures: string[] = [];

if (cold) {
  const scratch = mkdtempSync(join(tmpdir(), "kubequake-cold-"));
  const env = {
    ...process.env,
    KUBEQUAKE_CACHE: join(scratch, "cache"),
    GOCACHE: join(scratch, "go-build"),
    GOMODCACHE: join(scratch, "go-mod"),
  };
  console.log(`cold build into ${scratch} (empty caches; about 15 minutes on 2 cores)`);
  const script = `
    const { buildStages, formatDuration } = await import("${process.cwd()}/tooling/cluster-build/build.ts");
    const { pinnedVersions } = await import("${process.cwd()}/tooling/cluster-build/toolchain.ts");
    const { createLogger } = await import("${process.cwd()}/support/log/logger.ts");
    const started = performance.now();
    const report = await buildStages(pinnedVersions(), createLogger("cold"));
    for (const s of report) console.log("stage " + s.name.padEnd(17) + " " + formatDuration(s.seconds));
    console.log("total (wall clock, 2 stages at a time) " + formatDuration((performance.now() - started) / 1000));
  `;
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], { env, stdio: "inherit" });
  rmSync(scratch, { recursive: true, force: true });
  process.exit(result.status ?? 1);
}

function timed(label: string, args: string[]): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, ["bin/kubequake.js", ...args], { stdio: ["ignore", "ignore", "pipe"] });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) {
    console.error(result.stderr.toString());
    throw new Error(`${label} failed`);
  }
  return seconds;
}

timed("cluster up (warm-up)", ["cluster", "up"]);
figures.push(`reuse of a healthy cluster (cluster up):   ${timed("reuse", ["cluster", "up"]).toFixed(1)} s`);
timed("cluster down", ["cluster", "down"]);
figures.push(`fresh 3-node cluster from cached images:  ${timed("create", ["cluster", "up"]).toFixed(1)} s`);
figures.push(`reuse of a healthy cluster (again):       ${timed("reuse", ["cluster", "up"]).toFixed(1)} s`);
const { resolveStages } = await import("../tooling/cluster-build/stages.ts");
const { loadVersions } = await import("../tooling/cluster-build/versions.ts");
const { dockerImageSize } = await import("../tooling/cluster-build/docker.ts");
const nodeImage = resolveStages(loadVersions()).get("node-image")!.image!;
const size = await dockerImageSize(nodeImage);
figures.push(`node image ${nodeImage}: ${size ? (size / 1024 ** 2).toFixed(0) : "?"} MiB`);
console.log(figures.join("\n"));
