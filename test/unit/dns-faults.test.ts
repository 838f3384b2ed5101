import assert from "node:assert/strict";
import { test } from "node:test";
import { corefileWithFailingZone, reloadedSince } from "../../support/chaos/dns-faults.ts";

const corefile = ".:53 {\n    errors\n    forward . /etc/resolv.conf\n    reload\n}\n";

test("the failing zone is a server block of its own after the Corefile, which is kept exactly", () => {
  const changed = corefileWithFailingZone(corefile, "web.kq-1.svc.cluster.local", "SERVFAIL");
  assert.ok(changed.startsWith(corefile), "the previous Corefile comes first, unchanged");
  assert.equal(
    changed.slice(corefile.length),
    [
      "web.kq-1.svc.cluster.local:53 {",
      "    errors",
      "    template ANY ANY web.kq-1.svc.cluster.local {",
      "        rcode SERVFAIL",
      "    }",
      "}",
      "",
    ].join("\n"),
  );
});

test("a Corefile without a final newline still gets the block on a line of its own", () => {
  const changed = corefileWithFailingZone(corefile.trimEnd(), "web.kq-1.svc.cluster.local", "NXDOMAIN");
  assert.match(changed, /^}\nweb\.kq-1\.svc\.cluster\.local:53 \{$/m);
  assert.match(changed, /rcode NXDOMAIN/);
});

test("a replica counts as reloaded only by a completed reload logged at or after the change", () => {
  const log = [
    "2026-12-03T15:00:00.500000000Z [INFO] Reloading",
    "2026-12-03T15:00:00.900000000Z [INFO] Reloading complete",
    "2026-12-03T15:00:31.000000000Z [INFO] Reloading",
  ].join("\n");
  const at = (time: string) => Date.parse(`2026-12-03T${time}Z`);
  assert.equal(reloadedSince(log, at("15:00:00.100")), true);
  assert.equal(reloadedSince(log, at("15:00:01.000")), false, "a reload begun but not complete does not count");
  assert.equal(reloadedSince("", at("15:00:00")), false);
});
