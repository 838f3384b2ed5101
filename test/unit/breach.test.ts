import assert from "node:assert/strict";
import { test } from "node:test";
import { judgeBreach } from "../../support/chaos/breach.ts";
import type { TrafficSample } from "../../support/chaos/verdicts.ts";

/** 50 requests per second from `fromMs` to `toMs`; `failing(t)` says which fail. */
function traffic(fromMs: number, toMs: number, failing: (atMs: number) => boolean): TrafficSample[] {
  const samples: TrafficSample[] = [];
  for (let t = fromMs, seq = 0; t < toMs; t += 20, seq += 1) {
    const ok = !failing(t);
    samples.push({
      client: "client-0",
      seq,
      scheduledUnixMs: t,
      startUnixMs: t,
      latencyMs: 2,
      ok,
      status: ok ? 200 : 0,
      errorKind: ok ? "" : "timeout",
      pod: ok ? "web-1" : "",
    });
  }
  return samples;
}

const options = { sinceUnixMs: 10_000, timeoutMs: 2000, budgetPercent: 5 };

test("a failed share above the budget since the fault began is a breach, with its figures", () => {
  // Fault at 10 s; from then on every third request fails; newest request at 15 s, so 10-13 s is settled.
  const samples = traffic(0, 15_000, (t) => t >= 10_000 && t % 60 === 0);
  const verdict = judgeBreach(samples, options);
  assert.equal(verdict.breached, true);
  assert.equal(verdict.total, 150);
  assert.equal(verdict.failed, 50);
  assert.ok(Math.abs(verdict.failedPercent - (100 * 50) / 150) < 1e-9);
  assert.ok(Math.abs(verdict.measuredMs - 2980) < 1e-9);
});

test("failures before the fault began do not count against its budget", () => {
  const samples = traffic(0, 15_000, (t) => t < 10_000);
  const verdict = judgeBreach(samples, options);
  assert.equal(verdict.breached, false);
  assert.equal(verdict.failed, 0);
});

test("a share within the budget is no breach", () => {
  // 1 in 50 fails: 2%.
  const samples = traffic(0, 15_000, (t) => t >= 10_000 && t % 1000 === 0);
  const verdict = judgeBreach(samples, options);
  assert.equal(verdict.breached, false);
  assert.ok(verdict.failedPercent > 0 && verdict.failedPercent <= 5);
});

test("less than a second of settled traffic is not judged yet, however much of it failed", () => {
  // Newest at 12.5 s: settled up to 10.5 s, half a second after the fault.
  const samples = traffic(0, 12_500, (t) => t >= 10_000);
  const verdict = judgeBreach(samples, options);
  assert.equal(verdict.breached, false);
  assert.equal(verdict.failedPercent, 100);
  assert.ok(verdict.measuredMs < 1000);
});

test("requests that may still end (within a timeout of the newest) are left out, so slow failures are not missed", () => {
  // Requests of the last 2 s have all succeeded so far only because their timeouts have not run out yet.
  const samples = traffic(0, 14_000, (t) => t >= 10_000 && t < 12_000);
  const verdict = judgeBreach(samples, options);
  assert.equal(verdict.breached, true);
  assert.equal(verdict.failedPercent, 100);
});

test("a budget of 0% is breached by a single failure, once a second is settled", () => {
  const samples = traffic(0, 15_000, (t) => t === 11_000);
  assert.equal(judgeBreach(samples, { ...options, budgetPercent: 0 }).breached, true);
});
