import assert from "node:assert/strict";
import { test } from "node:test";
import { diskFinding, formatFindings, inotifyFinding, nodeFinding, pidFinding } from "../../tooling/doctor/checks.ts";

test("Node below 22 fails and says to run through npx; 22 and later pass", () => {
  assert.equal(nodeFinding("v24.21.0").status, "ok");
  const old = nodeFinding("v20.20.2");
  assert.equal(old.status, "fail");
  assert.match(old.fix ?? "", /npx kubequake/);
});

test("disk: ≥ 10 GB ok, 2–10 GB a warning, less a failure, each with where", () => {
  assert.equal(diskFinding("cache", "/c", 61e9).status, "ok");
  assert.equal(diskFinding("cache", "/c", 5e9).status, "warn");
  const full = diskFinding("cache", "/c", 1e9);
  assert.equal(full.status, "fail");
  assert.match(full.seen, /1\.0 GB free at \/c/);
});

test("inotify limits below kind's needs fail with the sysctl that fixes them", () => {
  assert.equal(inotifyFinding(512, 524288).status, "ok");
  const low = inotifyFinding(128, 8192);
  assert.equal(low.status, "fail");
  assert.match(low.fix ?? "", /sysctl -w fs\.inotify\.max_user_instances=512 fs\.inotify\.max_user_watches=524288/);
});

test("small pid limits warn", () => {
  assert.equal(pidFinding(32768, 96365).status, "ok");
  assert.equal(pidFinding(4096, 96365).status, "warn");
  assert.equal(pidFinding(32768, 1024).status, "warn");
});

test("the report puts each fix under its check", () => {
  const text = formatFindings([nodeFinding("v24.0.0"), inotifyFinding(128, 8192)]);
  assert.match(text, /^ok {4}Node\.js {9}v24\.0\.0\nFAIL {2}inotify limits {2}.*\n {6}fix: sysctl/);
});
