import assert from "node:assert/strict";
import { test } from "node:test";
import { corefileWithFailingZone } from "../../support/chaos/dns-faults.ts";

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
