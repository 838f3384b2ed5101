import assert from "node:assert/strict";
import { test } from "node:test";
import type { HttpProbeResult } from "../../support/kube/prober.ts";
import { expectClientIpPreserved } from "../../support/objects/reachability.ts";
import { expectSenderAddressRewritten, expectSenderAddressSeen } from "../../support/outside/expectations.ts";
import type { TrafficResult } from "../../support/traffic/client.ts";
import { summarize } from "../../support/traffic/statistics.ts";

/** A batch whose requests left from `localIP` and were seen as `clientIP`; its sender as the URL's family guessed. */
function batch(senderAddress: string, answers: readonly { localIP: string; clientIP: string }[]): TrafficResult {
  const results: HttpProbeResult[] = answers.map((a, seq) => ({
    seq,
    startUnixMs: seq,
    durationMs: 1,
    ok: true,
    status: 200,
    pod: "web-1",
    podIP: "fd00:10:244:1::9",
    node: "w",
    error: "",
    errorKind: "",
    ...a,
  }));
  const probe = { url: "http://web/", startedAt: "", notSent: 0, results };
  return {
    client: "c",
    url: probe.url,
    requested: results.length,
    budgetMs: 1000,
    probe,
    summary: summarize(results),
    senderAddress,
  };
}

test("what a backend saw is compared with the address each request left from, not the sender's other family", () => {
  // A dual-stack pod sent by name; the name resolved to the IPv6 ClusterIP, so the backend saw its IPv6 address.
  const unchanged = [batch("10.244.1.5", [{ localIP: "fd00:10:244:1::5", clientIP: "fd00:10:244:1::5" }])];
  expectClientIpPreserved(unchanged);
  expectSenderAddressSeen(unchanged);
  assert.throws(
    () => expectSenderAddressRewritten(unchanged),
    /expected every answer to have seen a rewritten address/,
  );
  const rewritten = [batch("10.244.1.5", [{ localIP: "fd00:10:244:1::5", clientIP: "fd00:10:244::1" }])];
  expectSenderAddressRewritten(rewritten);
  assert.throws(() => expectSenderAddressSeen(rewritten), /1 of 1 answers saw fd00:10:244::1/);
  assert.throws(
    () => expectClientIpPreserved(rewritten),
    /1 of 1 did not: fd00:10:244::1 \(sent from fd00:10:244:1::5\)/,
  );
});
