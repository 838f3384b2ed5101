/** One scenario to place on a shard: `features/x.feature:12` (an Outline row has its own line) and how long it took. */
export interface ShardItem {
  readonly key: string;
  /** Recorded duration in seconds; undefined when no earlier run recorded it. */
  readonly seconds?: number;
}

/** "2/4" → { index: 2, count: 4 }; undefined when the text is not i/n with 1 ≤ i ≤ n. */
export function parseShard(text: string): { index: number; count: number } | undefined {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) return undefined;
  const index = Number(match[1]);
  const count = Number(match[2]);
  return index >= 1 && count >= 1 && index <= count ? { index, count } : undefined;
}

/**
 * Splits the scenarios into `count` shards, balanced by recorded duration: longest first, each onto the shard with
 * the least time so far (LPT, within 4/3 of the optimum). A scenario without a recorded duration counts as the
 * median of the recorded ones, or 1 s when none is recorded (then the shards get equal counts). Deterministic: the
 * same items give the same shards on every runner (ties break by key, then by shard number). Each shard lists its
 * keys in their original order.
 */
export function partition(items: readonly ShardItem[], count: number): string[][] {
  const known = items
    .map((i) => i.seconds)
    .filter((s): s is number => s !== undefined && Number.isFinite(s) && s >= 0)
    .sort((a, b) => a - b);
  const fallback = known.length > 0 ? (known[Math.floor((known.length - 1) / 2)] ?? 1) : 1;
  const weighted = items.map((item, order) => ({ ...item, order, weight: item.seconds ?? fallback }));
  const byWeight = [...weighted].sort((a, b) => b.weight - a.weight || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const shards = Array.from({ length: count }, () => ({ total: 0, items: [] as typeof weighted }));
  for (const item of byWeight) {
    let target = shards[0]!;
    for (const shard of shards) if (shard.total < target.total) target = shard;
    target.total += item.weight;
    target.items.push(item);
  }
  return shards.map((shard) => shard.items.sort((a, b) => a.order - b.order).map((i) => i.key));
}

/** Each shard's total recorded seconds (unknown durations as in {@link partition}), for the balance report. */
export function shardTotals(shards: readonly (readonly string[])[], items: readonly ShardItem[]): number[] {
  const known = items
    .map((i) => i.seconds)
    .filter((s): s is number => s !== undefined)
    .sort((a, b) => a - b);
  const fallback = known.length > 0 ? (known[Math.floor((known.length - 1) / 2)] ?? 1) : 1;
  const seconds = new Map(items.map((i) => [i.key, i.seconds ?? fallback]));
  return shards.map((keys) => keys.reduce((sum, key) => sum + (seconds.get(key) ?? fallback), 0));
}
