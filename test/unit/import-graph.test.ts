import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, posix, relative } from "node:path";
import { test } from "node:test";

/**
 * The shape of the scenario library, checked from its import lines: no import cycle anywhere in support/ (type-only
 * imports included: a cycle of types is still two modules that cannot be understood apart), the Scenario imports no
 * domain (domains keep their state in slots they declare, so the Scenario needs to know none of them), and the base
 * layer (errors, log, wait, process, kube) imports nothing above it.
 */

const root = join(import.meta.dirname, "..", "..");

/** Module → the modules it imports, as paths relative to the repository ("support/kube/pods.ts"). */
type ImportGraph = ReadonlyMap<string, readonly string[]>;

/** The relative imports of one module's source: static (`import … from`, `export … from`) and dynamic (`import()`). */
function relativeImports(source: string): string[] {
  const found: string[] = [];
  const patterns = [/^\s*(?:import|export)\s[^;]*?\sfrom\s+"(\.\.?\/[^"]+)"/gms, /\bimport\(\s*"(\.\.?\/[^"]+)"\s*\)/g];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) found.push(match[1]!);
  return found;
}

/** The graph of `modules` (path → source), each import resolved against its importer's folder. */
function importGraph(modules: ReadonlyMap<string, string>): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const [path, source] of modules) {
    graph.set(
      path,
      relativeImports(source).map((target) => posix.normalize(posix.join(posix.dirname(path), target))),
    );
  }
  return graph;
}

/** Every import cycle among the graph's own modules, each named from its first module back to it ("a → b → a"). */
function importCycles(graph: ImportGraph): string[] {
  const cycles = new Set<string>();
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (module: string): void => {
    state.set(module, "open");
    path.push(module);
    for (const next of graph.get(module) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === "open") {
        const cycle = path.slice(path.indexOf(next));
        // The same cycle found from another module reads the same: start it at its smallest module.
        const start = cycle.indexOf([...cycle].sort()[0]!);
        const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
        cycles.add([...rotated, rotated[0]].join(" → "));
      } else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(module, "done");
  };
  for (const module of [...graph.keys()].sort()) if (!state.has(module)) visit(module);
  return [...cycles].sort();
}

/** The folder of support/ a module belongs to ("kube" for support/kube/pods.ts, "hooks.ts" for support/hooks.ts). */
function area(module: string): string {
  return module.split("/")[1] ?? module;
}

/** Imports from a module in one of `from` to a support/ module outside `allowed`, as "importer → imported". */
function importsOutside(graph: ImportGraph, from: readonly string[], allowed: readonly string[]): string[] {
  const offending: string[] = [];
  for (const [module, targets] of graph) {
    if (!from.includes(area(module))) continue;
    for (const target of targets) {
      if (target.startsWith("support/") && !allowed.includes(area(target))) offending.push(`${module} → ${target}`);
    }
  }
  return offending.sort();
}

/** The support/ library as it is on disk. */
function supportGraph(): ImportGraph {
  const modules = new Map<string, string>();
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) modules.set(relative(root, path), readFileSync(path, "utf8"));
    }
  };
  walk(join(root, "support"));
  assert.ok(modules.size > 50, `expected the modules of ${join(root, "support")}, found ${modules.size}`);
  return importGraph(modules);
}

/** The lowest layer: what every domain builds on. It imports only itself, so it can be read and tested alone. */
const baseLayer = ["errors", "log", "wait", "process", "kube"];

test("support/ has no import cycle", () => {
  const cycles = importCycles(supportGraph());
  assert.deepEqual(
    cycles,
    [],
    `import cycles in support/ (break each, e.g. move the shared part down):\n${cycles.join("\n")}`,
  );
});

test("the Scenario imports no domain: domains keep their state in slots they declare", () => {
  // The Scenario's own modules may import each other; below it, only the base layer.
  const offending = importsOutside(supportGraph(), ["scenario"], [...baseLayer, "scenario"]);
  assert.deepEqual(
    offending,
    [],
    `support/scenario/ imports a domain module (declare the state as a slot in the domain instead):\n${offending.join("\n")}`,
  );
});

test("the base layer (errors, log, wait, process, kube) imports nothing above it", () => {
  const offending = importsOutside(supportGraph(), baseLayer, baseLayer);
  assert.deepEqual(offending, [], `upward imports from the base layer:\n${offending.join("\n")}`);
});

test("the checks catch what they are for: a cycle (type-only too), a Scenario importing a domain, an upward import", () => {
  const graph = importGraph(
    new Map([
      [
        "support/scenario/context.ts",
        'import { ChaosLog } from "../chaos/chaos-log.ts";\nimport { x } from "../kube/y.ts";',
      ],
      ["support/chaos/chaos-log.ts", 'import type {\n  ScenarioContext,\n} from "../scenario/context.ts";'],
      ["support/kube/y.ts", 'const { a } = await import("../traffic/z.ts");'],
      ["support/traffic/z.ts", 'export { b } from "./w.ts";'],
      ["support/traffic/w.ts", ""],
    ]),
  );
  assert.deepEqual(importCycles(graph), [
    "support/chaos/chaos-log.ts → support/scenario/context.ts → support/chaos/chaos-log.ts",
  ]);
  assert.deepEqual(importsOutside(graph, ["scenario"], baseLayer), [
    "support/scenario/context.ts → support/chaos/chaos-log.ts",
  ]);
  assert.deepEqual(importsOutside(graph, baseLayer, baseLayer), ["support/kube/y.ts → support/traffic/z.ts"]);
  assert.deepEqual(graph.get("support/traffic/z.ts"), ["support/traffic/w.ts"]);
});

test("the scenario library (support/, steps/) imports no tooling: tooling builds on it, never the other way", () => {
  const offending: string[] = [];
  for (const folder of ["support", "steps"]) {
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith(".ts")) {
          const module = relative(root, path);
          for (const target of relativeImports(readFileSync(path, "utf8"))) {
            const resolved = posix.normalize(posix.join(posix.dirname(module), target));
            if (resolved.startsWith("tooling/") || resolved.startsWith("cli/"))
              offending.push(`${module} → ${resolved}`);
          }
        }
      }
    };
    walk(join(root, folder));
  }
  assert.deepEqual(offending, [], `the scenario library imports tooling or the CLI:\n${offending.join("\n")}`);
});
