// A failed build stage stops its running sibling, and an abort (Ctrl-C) stops every running stage; nothing half-built
// is cached either way. Real `sleep` commands stand in for the builds, in a cache of their own.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { Logger } from "../../support/log/logger.ts";

const cache = mkdtempSync(join(tmpdir(), "kq-build-stop-"));
process.env.KUBEQUAKE_CACHE = cache;
const { buildStages } = await import("../../tooling/cluster-build/build.ts");
const { CacheEntry } = await import("../../tooling/cluster-build/cache.ts");
const { runCommand } = await import("../../support/process/command.ts");
const { loadVersions } = await import("../../tooling/cluster-build/versions.ts");
type ResolvedStage = import("../../tooling/cluster-build/stages.ts").ResolvedStage;

const lines: string[] = [];
const log: Logger = {
  info: (message) => lines.push(message),
  warn: (message) => lines.push(`warning: ${message}`),
  debug: () => undefined,
  child: () => log,
};

/** A stage whose build runs `command`; `started` records the PID-less fact that it began. */
function fakeStage(name: string, command: readonly string[], started: string[]): ResolvedStage {
  const key = `${name}-key`;
  return {
    key,
    image: undefined,
    entry: new CacheEntry(name, key),
    stage: {
      name,
      summary: `the ${name} stand-in`,
      needs: [],
      inputs: () => [],
      build: async () => {
        started.push(name);
        await runCommand(command[0]!, command.slice(1), { timeoutMs: 60_000 });
      },
    },
  };
}

function stages(...list: ResolvedStage[]): Map<string, ResolvedStage> {
  return new Map(list.map((stage) => [stage.stage.name, stage]));
}

test("a failed stage stops its running sibling at once, and neither is cached", async () => {
  const started: string[] = [];
  const slow = fakeStage("slow", ["sleep", "30"], started);
  const broken = fakeStage("broken", ["sh", "-c", "sleep 0.3; exit 3"], started);
  const begun = performance.now();
  await assert.rejects(
    buildStages(loadVersions(), log, undefined, undefined, stages(slow, broken)),
    /stage broken failed: .*exited with 3/,
  );
  const seconds = (performance.now() - begun) / 1000;
  assert.deepEqual(started.sort(), ["broken", "slow"], "both stages ran side by side");
  assert.ok(seconds < 10, `the sibling was stopped, not waited for (${seconds.toFixed(1)} s of its 30)`);
  assert.ok(
    lines.some((line) => /build stopped: slow/.test(line)),
    lines.join("\n"),
  );
  assert.equal(slow.entry.isComplete(), false);
  assert.equal(broken.entry.isComplete(), false);
  assert.deepEqual(readdirSync(join(cache, "slow")), [], "no partial directory is left behind");
});

test("an abort (Ctrl-C) stops the running stages with the abort's reason", async () => {
  const started: string[] = [];
  const slow = fakeStage("slow-abort", ["sleep", "30"], started);
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error("interrupted by SIGINT")), 300);
  const begun = performance.now();
  await assert.rejects(
    buildStages(loadVersions(), log, undefined, controller.signal, stages(slow)),
    /interrupted by SIGINT/,
  );
  assert.ok((performance.now() - begun) / 1000 < 10, "the build did not run to its end");
  assert.equal(slow.entry.isComplete(), false);
  assert.equal(existsSync(slow.entry.path), false);
});

test.after(() => rmSync(cache, { recursive: true, force: true }));
