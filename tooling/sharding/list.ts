import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dryRunArguments } from "../reports/dry-run.ts";
import { readScenarios, type ScenarioRef } from "./scenarios.ts";

/**
 * The scenarios a run with these paths, tags and name would run, in Cucumber's order, from a dry run (no step and
 * no hook runs; about a second). `kubequake run` checks the same selection first, so this does not fail on input.
 */
export async function listScenarios(options: {
  paths: readonly string[];
  tags?: string;
  name?: string;
}): Promise<ScenarioRef[]> {
  const dir = mkdtempSync(join(tmpdir(), "kubequake-list-"));
  try {
    const messages = join(dir, "messages.ndjson");
    const args = dryRunArguments(messages, options);
    const output = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
      let text = "";
      child.stdout.on("data", (chunk: Buffer) => {
        text += chunk.toString();
      });
      child.stderr.on("data", (chunk: Buffer) => {
        text += chunk.toString();
      });
      child.on("close", () => resolve(text));
    });
    if (!existsSync(messages)) throw new Error(`cucumber's dry run wrote no messages: ${output.slice(0, 500)}`);
    return readScenarios(messages);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
