import assert from "node:assert/strict";
import { test } from "node:test";
import { repositoryPath, specsOfReport } from "../../tooling/coverage/e2e-specs.ts";
import { gradeSpecs, upstreamChecks } from "../../tooling/coverage/grades.ts";
import { coverageProblems, renderCoverage } from "../../tooling/coverage/report.ts";

const list = {
  kubernetesVersion: "v1.34.4",
  focus: "x",
  specs: [
    { name: "[sig-network] Services does a", section: "Services", location: "test/e2e/network/service.go:10" },
    { name: "[sig-network] Services does b", section: "Services", location: "test/e2e/network/service.go:20" },
    { name: "[sig-network] DNS does c", section: "DNS", location: "test/e2e/network/dns.go:30" },
  ],
};
const grades = {
  a: { spec: "[sig-network] Services does a", status: "full", note: "answers from every pod, then refused" },
  b: { spec: "[sig-network] Services does b", status: "not-written", note: "needs a step that does b" },
  c: { spec: "[sig-network] DNS does c", status: "partial", note: "the SRV record is not checked" },
};
const scenario = (id: string) => ({ id, where: "features/x.feature:3", name: "x" });

test("Ginkgo's dry-run report becomes one spec per It, named as e2e.test names it, with its section and source", () => {
  const report = [
    {
      SpecReports: [
        {
          ContainerHierarchyTexts: ["[sig-network] Services"],
          LeafNodeType: "It",
          LeafNodeText: "should serve a basic endpoint from pods [Conformance]",
          LeafNodeLocation: { FileName: "k8s.io/kubernetes@v1.34.4/test/e2e/network/service.go", LineNumber: 812 },
        },
        {
          ContainerHierarchyTexts: null,
          LeafNodeType: "SynchronizedBeforeSuite",
          LeafNodeText: "",
          LeafNodeLocation: { FileName: "x.go", LineNumber: 1 },
        },
        {
          ContainerHierarchyTexts: ["[sig-network]", "Granular", "Checks"],
          LeafNodeType: "It",
          LeafNodeText: "should do",
          LeafNodeLocation: { FileName: "/go/src/k8s.io/kubernetes/test/e2e/network/networking.go", LineNumber: 5 },
        },
      ],
    },
  ];
  assert.deepEqual(specsOfReport(report), [
    {
      name: "[sig-network] Granular Checks should do",
      section: "Granular",
      location: "test/e2e/network/networking.go:5",
    },
    {
      name: "[sig-network] Services should serve a basic endpoint from pods [Conformance]",
      section: "Services",
      location: "test/e2e/network/service.go:812",
    },
  ]);
  assert.equal(repositoryPath("/home/x/test/e2e/network/dns.go"), "test/e2e/network/dns.go");
});

test("every spec needs exactly one grade with a status and a note, and a grade must name a listed spec", () => {
  assert.deepEqual(gradeSpecs(list, grades).problems, []);
  const { b: _b, ...withoutB } = grades;
  assert.match(gradeSpecs(list, withoutB).problems.join("\n"), /no grade for "\[sig-network\] Services does b"/);
  const wrong = {
    ...grades,
    b: { spec: "[sig-network] Services does b", status: "covered", note: "" },
    d: { spec: "[sig-network] Services gone", status: "full", note: "checks the gone thing fully" },
    e: { spec: "[sig-network] DNS does c", status: "partial", note: "the SRV record is not checked" },
  };
  const problems = gradeSpecs(list, wrong).problems.join("\n");
  assert.match(problems, /b: status is "covered"; expected one of full, partial, not-applicable, not-written/);
  assert.match(problems, /b: the note must say what is missing to write it/);
  assert.match(problems, /d: its spec is not in e2e\.test v1\.34\.4's list: "\[sig-network\] Services gone"/);
  assert.match(problems, /e: grades the same spec as c/);
});

test("full and partial need a tagged scenario, the other grades must have none, and tags must name a test", () => {
  const { checks } = gradeSpecs(list, grades);
  assert.deepEqual(coverageProblems([scenario("a"), scenario("c")], checks, []), []);
  assert.match(coverageProblems([scenario("c")], checks, []).join("\n"), /a: graded full, but no scenario is tagged/);
  assert.match(
    coverageProblems([scenario("a"), scenario("b"), scenario("c")], checks, []).join("\n"),
    /b: a scenario is tagged @upstream:b, so "not-written" is stale/,
  );
  assert.match(
    coverageProblems([scenario("a"), scenario("c"), scenario("zz")], checks, []).join("\n"),
    /@upstream:zz names no upstream test/,
  );
  assert.throws(() => renderCoverage([], checks, list, []), /disagree/);
});

test("the coverage page counts full grades only and links each test to its upstream source", () => {
  const { checks } = gradeSpecs(list, grades);
  const page = renderCoverage([scenario("a"), scenario("c")], checks, list, []);
  assert.match(page, /\*\*1 of 3 upstream tests fully covered\*\*; 1 partial, 0 not applicable here, 1 not written\./);
  assert.match(page, /## Services \(1 of 2 full\)/);
  assert.match(
    page,
    /<a id="@upstream:a"><\/a>\[does a\]\(https:\/\/github\.com\/kubernetes\/kubernetes\/blob\/v1\.34\.4\/test\/e2e\/network\/service\.go#L10\) `a` \| \*\*full\*\* \|/,
  );
  assert.match(page, /\| partial \| \[x\]\(\.\.\/features\/x\.feature#L3\) \| the SRV record is not checked \|/);
});

test("the committed list and grades agree, and ids are unique", () => {
  const ids = upstreamChecks.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(upstreamChecks.length > 0);
});
