import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { parseShard, partition, type ShardItem, shardTotals } from "../../tooling/sharding/partition.ts";

// Durations of a real full run on the kind cluster (see the file's "source").
const recorded = (
  JSON.parse(readFileSync("test/fixtures/sharding/recorded-durations.json", "utf8")) as {
    scenarios: { scenario: string; seconds: number }[];
  }
).scenarios.map((s): ShardItem => ({ key: s.scenario, seconds: s.seconds }));

for (const count of [2, 4]) {
  test(`${count} shards of the recorded run: every scenario exactly once, the longest shard ≤ 1.3 × the mean`, () => {
    const shards = partition(recorded, count);
    assert.equal(shards.length, count);
    assert.deepEqual(shards.flat().sort(), recorded.map((i) => i.key).sort());
    const totals = shardTotals(shards, recorded);
    const mean = totals.reduce((a, b) => a + b, 0) / count;
    const longest = Math.max(...totals);
    assert.ok(
      longest <= 1.3 * mean,
      `longest ${longest.toFixed(1)} s, mean ${mean.toFixed(1)} s (${totals.join(", ")})`,
    );
  });
}

test("the same input gives the same shards, whatever order the runner listed the scenarios in", () => {
  const reversed = [...recorded].reverse();
  const sortShards = (shards: string[][]) => shards.map((s) => [...s].sort());
  assert.deepEqual(sortShards(partition(reversed, 3)), sortShards(partition(recorded, 3)));
  assert.deepEqual(partition(recorded, 3), partition(recorded, 3));
});

test("without recorded durations the shards get equal counts (within one), in the listed order", () => {
  const items = Array.from({ length: 11 }, (_, i) => ({ key: `f.feature:${i + 1}` }));
  const shards = partition(items, 4);
  assert.deepEqual(shards.map((s) => s.length).sort(), [2, 3, 3, 3]);
  for (const shard of shards)
    assert.deepEqual(
      shard,
      [...shard].sort((a, b) => Number(a.split(":")[1]) - Number(b.split(":")[1])),
    );
});

test("an unrecorded scenario counts as the median of the recorded ones", () => {
  const shards = partition(
    [{ key: "a", seconds: 100 }, { key: "b", seconds: 10 }, { key: "c", seconds: 10 }, { key: "new" }],
    2,
  );
  assert.deepEqual(
    shardTotals(shards, [
      { key: "a", seconds: 100 },
      { key: "b", seconds: 10 },
      { key: "c", seconds: 10 },
      { key: "new" },
    ]).sort((x, y) => x - y),
    [30, 100],
  );
});

test("more shards than scenarios leaves the extra shards empty", () => {
  assert.deepEqual(partition([{ key: "a", seconds: 1 }], 3), [["a"], [], []]);
});

test("--shard takes I/N with 1 ≤ I ≤ N", () => {
  assert.deepEqual(parseShard("2/4"), { index: 2, count: 4 });
  for (const bad of ["0/4", "5/4", "1/0", "a/b", "1", "-1/2", "1/2/3"]) assert.equal(parseShard(bad), undefined, bad);
});
