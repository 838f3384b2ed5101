import { existsSync, rmSync } from "node:fs";
import type { Logger } from "../../support/log/logger.ts";
import { runCommand } from "../../support/process/command.ts";

/**
 * Turns <reports>/allure-results into the Allure HTML report (<reports>/allure-report) with the Allure 3 CLI, which
 * is plain Node (no Java). A failure here is reported but does not change the run's verdict.
 */
export async function generateAllureReport(reports: string, log: Logger): Promise<boolean> {
  if (!existsSync(`${reports}/allure-results`)) {
    log.warn("no Allure results were written, so there is no Allure report");
    return false;
  }
  // A report left from an earlier run must never pass for this run's (and stale files confuse the generator).
  rmSync(`${reports}/allure-report`, { recursive: true, force: true });
  try {
    await runCommand(
      process.execPath,
      ["node_modules/allure/cli.js", "generate", `${reports}/allure-results`, "--output", `${reports}/allure-report`],
      // allurerc.mjs puts the history next to the reports it describes.
      { timeoutMs: 5 * 60_000, env: { ...process.env, KUBEQUAKE_REPORTS: reports } },
    );
    return true;
  } catch (error) {
    log.warn(`the Allure HTML report could not be generated: ${error instanceof Error ? error.message : error}`);
    return false;
  }
}
