import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Envelope } from "@cucumber/messages";
import { skipAttachment } from "../../support/capabilities/needs.ts";
import { readScenarios } from "../sharding/scenarios.ts";

/** The name of the attachment the Before hook adds to a scenario it skips for a missing need. */

/** Scenarios skipped for a need the cluster lacks, with the reason the Before hook attached. */
export function readSkipReasons(messagesFile: string): { key: string; name: string; why: string }[] {
  const testCasePickle = new Map<string, string>();
  const startedCase = new Map<string, string>();
  const reasons: { pickleId: string; why: string }[] = [];
  for (const line of readFileSync(messagesFile, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const envelope = JSON.parse(line) as Envelope;
    if (envelope.testCase) testCasePickle.set(envelope.testCase.id, envelope.testCase.pickleId);
    else if (envelope.testCaseStarted)
      startedCase.set(envelope.testCaseStarted.id, envelope.testCaseStarted.testCaseId);
    else if (envelope.attachment?.fileName === skipAttachment && envelope.attachment.testCaseStartedId) {
      const pickleId = testCasePickle.get(startedCase.get(envelope.attachment.testCaseStartedId) ?? "");
      if (pickleId) reasons.push({ pickleId, why: envelope.attachment.body });
    }
  }
  const scenarios = new Map(readScenarios(messagesFile).map((s) => [s.id, s]));
  return reasons.map((r) => {
    const scenario = scenarios.get(r.pickleId);
    return { key: scenario?.key ?? "?", name: scenario?.name ?? "?", why: r.why };
  });
}

const xmlAttribute = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * Cucumber has no message for a scenario a hook skipped, so the reports would say "skipped" without why: the reason
 * goes into JUnit's `<skipped message>` and the Allure result's status message (matched by file and scenario name).
 */
export function annotateSkips(reports: string, skips: readonly { key: string; name: string; why: string }[]): void {
  if (skips.length === 0) return;
  const junit = `${reports}/junit/cucumber.xml`;
  if (existsSync(junit)) {
    let xml = readFileSync(junit, "utf8");
    for (const skip of skips) {
      const name = xmlAttribute(skip.name).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      xml = xml.replace(
        new RegExp(`(<testcase [^>]*name="${name}"[^>]*>\\s*)<skipped/>`),
        `$1<skipped message="${xmlAttribute(skip.why)}"/>`,
      );
    }
    writeFileSync(junit, xml);
  }
  const results = `${reports}/allure-results`;
  if (!existsSync(results)) return;
  for (const file of readdirSync(results).filter((f) => f.endsWith("-result.json"))) {
    const path = join(results, file);
    const result = JSON.parse(readFileSync(path, "utf8")) as {
      status?: string;
      fullName?: string;
      statusDetails?: { message?: string };
    };
    if (result.status !== "skipped") continue;
    const skip = skips.find((s) => result.fullName?.endsWith(`:${s.key.slice(0, s.key.lastIndexOf(":"))}#${s.name}`));
    if (!skip) continue;
    result.statusDetails = { ...result.statusDetails, message: skip.why };
    writeFileSync(path, JSON.stringify(result));
  }
}
