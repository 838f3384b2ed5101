import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cacheRoot } from "../../support/cluster/kind.ts";

export { cacheRoot };

/** Root of kubequake's build cache (KUBEQUAKE_CACHE, default ~/.cache/kubequake). */

/** A short stable key over everything a build output depends on. */
export function cacheKey(parts: readonly string[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(`${part.length}:${part}`);
  return hash.digest("hex").slice(0, 12);
}

export function fileDigest(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/** Digest of every regular file below `dir` (names and contents, in sorted order). */
export function directoryDigest(dir: string): string {
  const hash = createHash("sha256");
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  for (const file of files) hash.update(`${file.slice(dir.length)}\0`).update(readFileSync(file));
  return hash.digest("hex");
}

/**
 * A finished cache entry is a directory `<root>/<stage>/<key>` holding a `.complete` marker. Builds write into a
 * sibling `.partial-<pid>` directory that is renamed into place only when the build succeeded, so an interrupted
 * build leaves nothing a later run would trust (stale partials are removed before the next attempt).
 */
export class CacheEntry {
  readonly stage: string;
  readonly key: string;
  readonly path: string;
  constructor(stage: string, key: string) {
    this.stage = stage;
    this.key = key;
    this.path = join(cacheRoot, stage, key);
  }

  isComplete(): boolean {
    return existsSync(join(this.path, ".complete"));
  }

  /** Runs `build(dir)` into a fresh partial directory and publishes it atomically. */
  async fill(build: (dir: string) => Promise<void>): Promise<void> {
    const stageDir = join(cacheRoot, this.stage);
    mkdirSync(stageDir, { recursive: true });
    const partial = join(stageDir, `.partial-${this.key}-${process.pid}`);
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    try {
      await build(partial);
      writeFileSync(join(partial, ".complete"), `${new Date().toISOString()}\n`);
      rmSync(this.path, { recursive: true, force: true });
      renameSync(partial, this.path);
    } catch (error) {
      rmSync(partial, { recursive: true, force: true });
      throw error;
    }
  }
}
