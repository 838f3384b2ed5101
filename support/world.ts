import {
  DataTable,
  type IWorldOptions,
  setDefinitionFunctionWrapper,
  setWorldConstructor,
  World,
} from "@cucumber/cucumber";
import type { ScenarioContext, ScenarioReport } from "./scenario/context.ts";
import { expandRememberedIn } from "./scenario/remembered-values.ts";

/**
 * Cucumber's side of a scenario: the one ScenarioContext (which owns all the scenario's state, results and logs)
 * plus the report to attach to. Nothing else: steps read and keep state through the library (`lastTraffic(scenario)`).
 */
export class KubequakeWorld extends World implements ScenarioReport {
  #scenario: ScenarioContext | undefined;

  constructor(options: IWorldOptions) {
    super(options);
  }

  get scenario(): ScenarioContext {
    if (!this.#scenario) throw new Error("the scenario has no namespace: the Before hook did not run");
    return this.#scenario;
  }

  set scenario(context: ScenarioContext) {
    this.#scenario = context;
  }

  get hasScenario(): boolean {
    return this.#scenario !== undefined;
  }

  /**
   * Attaches text to the report. Long text goes in as bytes: the console then shows one line for it
   * ("Embedding name [text/plain N bytes]") while the reports keep all of it, so a step's console output stays short.
   */
  async attachText(name: string, text: string): Promise<void> {
    if (text.length <= consoleTextLimit) await this.attach(text, { mediaType: "text/plain", fileName: name });
    else await this.attachFile(name, Buffer.from(text), "text/plain");
  }

  /** Attaches data (a PNG chart, a CSV) with its media type; the console shows its name and size only. */
  async attachFile(name: string, data: Buffer | string, mediaType: string): Promise<void> {
    await this.attach(typeof data === "string" ? Buffer.from(data) : data, { mediaType, fileName: name });
  }
}

/** Text attachments longer than this (characters) are not printed on the console, only kept in the reports. */
const consoleTextLimit = 4000;

setWorldConstructor(KubequakeWorld);

/**
 * `{remembered:<name>}` works in every step, wherever a value goes (a URL, a docstring manifest or patch, an expected
 * value, a node or pod name, a table cell): each argument of a step is expanded right before it runs, from what earlier steps of
 * the scenario remembered (support/scenario/remembered-values.ts). Hooks and steps without any pass through as they are.
 */
setDefinitionFunctionWrapper(function wrap(code: (...args: unknown[]) => unknown) {
  return function (this: unknown, ...args: unknown[]) {
    if (!(this instanceof KubequakeWorld) || !this.hasScenario) return code.apply(this, args);
    const scenario = this.scenario;
    return code.apply(
      this,
      args.map((argument) =>
        // A data table's cells too: the table is rebuilt with each cell expanded.
        argument instanceof DataTable && argument.raw().some((row) => row.some((cell) => cell.includes("{remembered:")))
          ? new DataTable(argument.raw().map((row) => row.map((cell) => expandRememberedIn(scenario, cell))))
          : expandRememberedIn(scenario, argument),
      ),
    );
  };
});
