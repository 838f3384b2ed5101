import assert from "node:assert/strict";
import { test } from "node:test";
import { UserError } from "../../support/errors/user-error.ts";
import { parseManifests } from "../../support/kube/manifests.ts";

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: echo
spec:
  replicas: 2
`;

test("parseManifests returns each document with its source and first line", () => {
  const text = `${deployment}---
apiVersion: v1
kind: Service
metadata: {name: echo}
`;
  const objects = parseManifests(text, "features/manifests/echo.yaml");
  assert.deepEqual(
    objects.map((o) => [o.object.kind, o.object.metadata?.name, o.source, o.line]),
    [
      ["Deployment", "echo", "features/manifests/echo.yaml", 1],
      ["Service", "echo", "features/manifests/echo.yaml", 8],
    ],
  );
  assert.equal((objects[0]!.object as { spec?: { replicas?: number } }).spec?.replicas, 2);
});

test("lines are counted from the docstring's first line in the feature file", () => {
  const [object] = parseManifests(deployment, "features/x.feature", 12);
  assert.equal(object!.line, 12);
  const [, second] = parseManifests(`${deployment}---\n${deployment}`, "features/x.feature", 12);
  assert.equal(second!.line, 19);
});

test("empty documents are skipped; no object at all is an error", () => {
  assert.equal(parseManifests(`---\n${deployment}---\n`, "f.yaml").length, 1);
  assert.throws(() => parseManifests("# only a comment\n", "f.yaml"), {
    name: "UserError",
    message: /^f\.yaml: expected at least one Kubernetes object, saw none\n {2}what to do: /,
  });
});

test("invalid YAML is reported at its line in the feature file", () => {
  assert.throws(() => parseManifests("kind: Service\nmetadata:\n  name: [unclosed\n", "features/x.feature", 20), {
    name: "UserError",
    message: /^features\/x\.feature:2\d: the manifest is not valid YAML: /,
  });
});

test("a document that is not a mapping, or lacks apiVersion, kind or metadata.name, is rejected with what it had", () => {
  assert.throws(() => parseManifests("- a\n- b\n", "f.yaml"), {
    message: /^f\.yaml:1: expected a Kubernetes object \(a YAML mapping\), saw a list/,
  });
  assert.throws(() => parseManifests("just text\n", "f.yaml"), {
    message: /^f\.yaml:1: expected a Kubernetes object \(a YAML mapping\), saw string/,
  });
  assert.throws(
    () => parseManifests("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  labels: {app: x}\n", "f.yaml", 27),
    {
      message:
        /^f\.yaml:27: Deployment is missing metadata\.name; saw keys apiVersion, kind, metadata\n {2}what to do: /,
    },
  );
  assert.throws(() => parseManifests("metadata: {name: x}\n", "f.yaml"), {
    message: /^f\.yaml:1: object is missing apiVersion, kind; saw keys metadata/,
  });
  assert.throws(
    () => parseManifests("apiVersion: v1\nkind: Service\nmetadata: {name: ''}\n", "f.yaml"),
    (error) => {
      assert.ok(error instanceof UserError);
      assert.match(error.message, /Service is missing metadata\.name/);
      return true;
    },
  );
});
