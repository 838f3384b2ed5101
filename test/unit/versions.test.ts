import assert from "node:assert/strict";
import { test } from "node:test";
import { pinnedVersions } from "../../tooling/cluster-build/toolchain.ts";
import { checkStagingMatches, loadVersions, parseVersions } from "../../tooling/cluster-build/versions.ts";

test("cluster/versions.env pins every version, with matching Kubernetes and staging tags", () => {
  const versions = loadVersions();
  assert.match(versions.KUBERNETES_VERSION, /^v1\.\d+\.\d+$/);
  assert.doesNotThrow(() => checkStagingMatches(versions));
});

test("a malformed versions file is reported with its file and line", () => {
  assert.throws(() => parseVersions("KIND_VERSION=v0.33.0\nthis is not a pin\n", "versions.env"), {
    message: 'versions.env:2: expected KEY=value, saw "this is not a pin"',
  });
  assert.throws(
    () => parseVersions("KIND_VERSION=v0.33.0\n", "versions.env"),
    /versions\.env: missing KUBERNETES_VERSION, /,
  );
});

test("a staging tag that does not match the Kubernetes version is rejected", () => {
  const versions = { ...loadVersions(), KUBERNETES_STAGING_VERSION: "v0.33.1" };
  assert.throws(() => checkStagingMatches(versions), /KUBERNETES_STAGING_VERSION is v0\.33\.1, expected v0\.34\.\d+/);
});

test("asking for a Kubernetes version that is not pinned names the pinned one and how to change it", () => {
  assert.throws(
    () => pinnedVersions("v1.99.0"),
    (error: Error) => {
      assert.match(
        error.message,
        /^Kubernetes v1\.99\.0 is not pinned: .*versions\.env pins KUBERNETES_VERSION=v1\.34\.\d+\./,
      );
      assert.match(error.message, /what to do: .*go list -m -versions k8s\.io\/kubernetes/);
      return true;
    },
  );
});
