// The project as cucumber-js sees it, read without a cluster: the step definitions and parameter types from
// cucumber's own support code library (its `loadSupport` API imports the step files exactly as a run does), and the
// feature files. Shared by `kubequake steps`, `kubequake lint` and `kubequake run`'s preflight.
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { loadSupport } from "@cucumber/cucumber/api";
import { declaredFaultOf } from "../support/chaos/registry.ts";
import { UserError } from "../support/errors/user-error.ts";
import { docAbove, type ParameterTypeInfo, type StepDefinition, type StepKeyword } from "../tooling/catalog/catalog.ts";

/** What `kubequake run` imports (cucumber.js without hooks and the World, which touch the cluster when run). */
const supportFiles = ["support/parameter-types.ts", "steps/**/*.ts"];
/** Steps only the harness's must-fail fixtures use (cucumber.js's chaosFixtures profile). */
const fixtureSupportFiles = ["test/fixtures/steps/**/*.ts"];

export interface ProjectSupport {
  /** Every step definition, the fixture-only ones included (their file starts with test/). */
  definitions: StepDefinition[];
  /** The custom parameter types, in the order they were defined. */
  parameterTypes: ParameterTypeInfo[];
}

/** The parts of cucumber's support code library read here (its API types it as an opaque marker). */
interface LoadedLibrary {
  stepDefinitions: {
    keyword: string;
    pattern: string | RegExp;
    uri: string;
    line: number;
    code: unknown;
    unwrappedCode?: unknown;
  }[];
  undefinedParameterTypes: { name: string; expression: string }[];
  parameterTypeRegistry: {
    parameterTypes: Iterable<{ name: string | undefined; regexpStrings: readonly string[] }>;
    lookupSource(type: unknown): { uri: string; line: number; order: number } | undefined;
  };
}

let loaded: Promise<ProjectSupport> | undefined;

/**
 * Loads the support code once per process: modules are imported once, so a second loadSupport would find nothing
 * new to register. Throws a UserError naming the file when a step file does not load or an expression does not compile.
 */
export function loadProjectSupport(root: string): Promise<ProjectSupport> {
  loaded ??= load(root);
  return loaded;
}

async function load(root: string): Promise<ProjectSupport> {
  const fixtures = await listFiles(root, "test/fixtures/steps", ".ts");
  const library = (await loadSupport(
    {
      sources: { paths: [], defaultDialect: "en", names: [], tagExpression: "", order: "defined" },
      support: { importPaths: [...supportFiles, ...(fixtures.length > 0 ? fixtureSupportFiles : [])] },
    },
    { cwd: root, stderr: process.stderr, env: process.env },
  ).catch((error: unknown) => {
    throw new UserError(
      `cucumber-js could not load the step definitions: ${error instanceof Error ? error.message : String(error)}`,
      "fix the step file named above (`npx tsc --noEmit -p .` shows type errors), then run the command again.",
    );
  })) as unknown as LoadedLibrary;
  for (const undefinedType of library.undefinedParameterTypes) {
    throw new UserError(
      `a step uses the parameter type {${undefinedType.name}}, which is not defined (in "${undefinedType.expression}")`,
      "define it with defineParameterType in support/parameter-types.ts, or fix its name in the step.",
    );
  }
  const sources = new Map<string, string>();
  const source = async (file: string): Promise<string> => {
    if (!sources.has(file)) sources.set(file, await readFile(join(root, file), "utf8").catch(() => ""));
    return sources.get(file)!;
  };
  const definitions: StepDefinition[] = [];
  for (const definition of library.stepDefinitions) {
    const file = projectPath(root, definition.uri);
    const step: StepDefinition = {
      keyword: definition.keyword as StepKeyword,
      expression: typeof definition.pattern === "string" ? definition.pattern : String(definition.pattern),
      file,
      line: definition.line,
    };
    const doc = docAbove(await source(file), definition.line);
    if (doc) step.doc = doc;
    // The declaration is marked on the step function as written; cucumber keeps it as unwrappedCode once a definition
    // function wrapper (support/world.ts) wraps it.
    const code = definition.unwrappedCode ?? definition.code;
    // A declared fault's step is made in a loop: its documentation and scope are the declaration's.
    const fault = declaredFaultOf(code);
    if (fault) {
      step.doc = fault.doc;
      if (fault.scope !== "namespace") step.clusterWideFault = true;
    }
    definitions.push(step);
  }
  const registry = library.parameterTypeRegistry;
  const parameterTypes: (ParameterTypeInfo & { order: number })[] = [];
  for (const type of registry.parameterTypes) {
    const where = registry.lookupSource(type);
    if (!where || type.name === undefined) continue; // a built-in type: {int}, {string}, {word}…
    const info: ParameterTypeInfo & { order: number } = {
      name: type.name,
      regexps: type.regexpStrings.map((pattern) => new RegExp(pattern)),
      order: where.order,
    };
    const doc = docAbove(await source(projectPath(root, where.uri)), where.line);
    if (doc) info.doc = doc;
    parameterTypes.push(info);
  }
  parameterTypes.sort((a, b) => a.order - b.order);
  return { definitions, parameterTypes: parameterTypes.map(({ order: _, ...type }) => type) };
}

function projectPath(root: string, uri: string): string {
  const path = uri.startsWith("/") ? relative(root, uri) : uri;
  return path.split("\\").join("/");
}

/** Project-relative paths (with "/") of the files under root/folder ending in `extension`, sorted; none if absent. */
export async function listFiles(root: string, folder: string, extension: string): Promise<string[]> {
  const entries = await readdir(join(root, folder), { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT" || error.code === "ENOTDIR") return [] as string[];
    throw error;
  });
  return entries
    .map((entry) => `${folder}/${entry.split("\\").join("/")}`)
    .filter((file) => file.endsWith(extension) && !file.endsWith(".d.ts"))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
