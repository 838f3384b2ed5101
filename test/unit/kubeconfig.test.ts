import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { chooseTarget, describeTarget, loadTarget } from "../../support/kube/kubeconfig.ts";
import { mergeContextInto, userKubeconfigPath } from "../../support/kube/kubeconfig-merge.ts";

const dir = mkdtempSync(join(tmpdir(), "kubequake-kubeconfig-"));
function kubeconfig(name: string, current: string, contexts: { name: string; server: string }[]): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `apiVersion: v1
kind: Config
current-context: "${current}"
clusters:
${contexts.map((c) => `- name: ${c.name}\n  cluster:\n    server: ${c.server}`).join("\n")}
users:
${contexts.map((c) => `- name: ${c.name}\n  user:\n    token: t-${c.name}`).join("\n")}
contexts:
${contexts.map((c) => `- name: ${c.name}\n  context:\n    cluster: ${c.name}\n    user: ${c.name}`).join("\n")}
`,
  );
  return path;
}
const a = kubeconfig("a.yaml", "staging", [
  { name: "staging", server: "https://127.0.0.1:6443" },
  { name: "shared", server: "https://127.0.0.1:1111" },
]);
const b = kubeconfig("b.yaml", "prod", [
  { name: "prod", server: "https://127.0.0.1:7443" },
  { name: "shared", server: "https://127.0.0.1:2222" },
]);
const own = "/home/u/.kube/kubequake.config";

test("--kubeconfig wins over KUBECONFIG; KUBECONFIG over kubequake's own; kubequake's own when neither is set", () => {
  assert.deepEqual(chooseTarget({ kubeconfig: a, env: { KUBECONFIG: b }, defaultKubeconfig: own }).files, [a]);
  const fromEnv = chooseTarget({ env: { KUBECONFIG: `${a}:${b}` }, defaultKubeconfig: own });
  assert.deepEqual([fromEnv.files, fromEnv.filesFrom], [[a, b], "KUBECONFIG"]);
  const none = chooseTarget({ env: { KUBECONFIG: "" }, defaultKubeconfig: own });
  assert.deepEqual([none.files, none.filesFrom], [[own], "kubequake"]);
});

test("KUBECONFIG files merge as kubectl's: the first file's current-context, the first definition of a name", () => {
  const { config, target } = loadTarget(chooseTarget({ env: { KUBECONFIG: `${a}:${b}` }, defaultKubeconfig: own }));
  assert.equal(target.context, "staging");
  assert.deepEqual(
    config
      .getContexts()
      .map((c) => c.name)
      .sort(),
    ["prod", "shared", "staging"],
  );
  assert.equal(config.getCluster("shared")?.server, "https://127.0.0.1:1111");
});

test("--context picks another context in memory and leaves the files' current-context alone", () => {
  const { config, target } = loadTarget(
    chooseTarget({ context: "prod", env: { KUBECONFIG: `${a}:${b}` }, defaultKubeconfig: own }),
  );
  assert.equal(config.getCurrentContext(), "prod");
  assert.equal(config.getCurrentCluster()?.server, "https://127.0.0.1:7443");
  assert.equal(target.contextFrom, "--context");
  const again = loadTarget(chooseTarget({ env: { KUBECONFIG: a }, defaultKubeconfig: own }));
  assert.equal(again.target.context, "staging", "the file still has its own current-context");
});

test("missing files in KUBECONFIG are skipped (as kubectl does); all missing is a clear error", () => {
  const { target } = loadTarget(
    chooseTarget({ env: { KUBECONFIG: `${join(dir, "nope")}:${b}` }, defaultKubeconfig: own }),
  );
  assert.deepEqual([target.files, target.context], [[b], "prod"]);
  assert.throws(
    () => loadTarget(chooseTarget({ env: { KUBECONFIG: join(dir, "nope") }, defaultKubeconfig: own })),
    /none of the kubeconfig files in KUBECONFIG exists/,
  );
});

test("an unknown --context lists the known ones", () => {
  assert.throws(
    () => loadTarget(chooseTarget({ kubeconfig: a, context: "stagign", env: {}, defaultKubeconfig: own })),
    /the context "stagign" \(--context\) is not in .*a\.yaml\n {2}what to do: use one of: staging, shared\./,
  );
});

test("the run's first line names the file, the context and why", () => {
  const { target } = loadTarget(chooseTarget({ env: { KUBECONFIG: `${a}:${b}` }, defaultKubeconfig: own }));
  assert.equal(
    describeTarget(target, false),
    `cluster: context "staging" (the current-context of the first file that sets one; --context picks another) in ${a}:${b} (from KUBECONFIG) — an existing cluster: kubequake builds and creates nothing there`,
  );
});

test("cluster up merges its context into the user's kubeconfig as kind does, keeping their current-context", () => {
  const user = kubeconfig("user.yaml", "staging", [{ name: "staging", server: "https://127.0.0.1:6443" }]);
  const kq = kubeconfig("kq.yaml", "kind-kubequake", [{ name: "kind-kubequake", server: "https://127.0.0.1:40000" }]);
  assert.match(mergeContextInto(user, kq, "kind-kubequake"), /its current-context stays "staging"/);
  const merged = loadTarget(
    chooseTarget({ kubeconfig: user, context: "kind-kubequake", env: {}, defaultKubeconfig: own }),
  );
  assert.equal(merged.config.getCurrentCluster()?.server, "https://127.0.0.1:40000");
  assert.equal(
    loadTarget(chooseTarget({ kubeconfig: user, env: {}, defaultKubeconfig: own })).target.context,
    "staging",
  );
  // A recreated cluster listens elsewhere: the entry is replaced, not duplicated.
  const moved = kubeconfig("kq.yaml", "kind-kubequake", [
    { name: "kind-kubequake", server: "https://127.0.0.1:40001" },
  ]);
  mergeContextInto(user, moved, "kind-kubequake");
  const again = loadTarget(
    chooseTarget({ kubeconfig: user, context: "kind-kubequake", env: {}, defaultKubeconfig: own }),
  );
  assert.equal(again.config.getContexts().length, 2);
  assert.equal(again.config.getCurrentCluster()?.server, "https://127.0.0.1:40001");
});

test("into a kubeconfig that does not exist yet, the merged context becomes the current one", () => {
  const fresh = join(dir, "new", "config");
  const kq = kubeconfig("kq2.yaml", "kind-kubequake", [{ name: "kind-kubequake", server: "https://127.0.0.1:40000" }]);
  assert.match(mergeContextInto(fresh, kq, "kind-kubequake"), /is its current-context: kubectl works now/);
  assert.equal(
    loadTarget(chooseTarget({ kubeconfig: fresh, env: {}, defaultKubeconfig: own })).target.context,
    "kind-kubequake",
  );
  assert.equal(userKubeconfigPath({ KUBECONFIG: `:${fresh}:/x` }), fresh);
});
