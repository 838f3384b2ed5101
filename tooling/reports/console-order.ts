// The console shows each scenario whole, and each attachment under the step that made it. Cucumber's pretty printer
// prints an attachment the moment it arrives and a step's line only when the step finishes, so a step's traffic table
// appeared above its own line (under the step before it); with 2 workers, two scenarios' lines also interleaved.
// This reorders the messages the printer gets: a scenario's are held until it finishes, and a step's attachments
// follow its testStepFinished. The reports (HTML, JUnit, Allure, messages) read the messages unchanged.
import type { Envelope } from "@cucumber/messages";

/** Returns a message handler that passes every message to `print`, each scenario's in console order. */
export function consoleOrder(print: (envelope: Envelope) => void): (envelope: Envelope) => void {
  /** Per running scenario (testCaseStartedId): its messages held so far, in console order. */
  const held = new Map<string, Envelope[]>();
  /** Per running step (testStepId within a scenario): attachments it made, printed after its line. */
  const attachments = new Map<string, Envelope[]>();
  const stepKey = (testCaseStartedId: string, testStepId: string) => `${testCaseStartedId} ${testStepId}`;
  const flush = (id: string) => {
    for (const envelope of held.get(id) ?? []) print(envelope);
    held.delete(id);
  };
  return (envelope) => {
    if (envelope.testCaseStarted) {
      held.set(envelope.testCaseStarted.id, [envelope]);
      return;
    }
    const attachment = envelope.attachment;
    if (attachment?.testCaseStartedId && attachment.testStepId && held.has(attachment.testCaseStartedId)) {
      const key = stepKey(attachment.testCaseStartedId, attachment.testStepId);
      attachments.set(key, [...(attachments.get(key) ?? []), envelope]);
      return;
    }
    const running = envelope.testStepStarted ?? envelope.testStepFinished ?? envelope.testCaseFinished;
    const scenario = running ? held.get(running.testCaseStartedId) : undefined;
    if (running && scenario) {
      scenario.push(envelope);
      if (envelope.testStepFinished) {
        const key = stepKey(envelope.testStepFinished.testCaseStartedId, envelope.testStepFinished.testStepId);
        scenario.push(...(attachments.get(key) ?? []));
        attachments.delete(key);
      }
      if (envelope.testCaseFinished) flush(envelope.testCaseFinished.testCaseStartedId);
      return;
    }
    // A run that ends early (an interrupt) still shows what its scenarios did.
    if (envelope.testRunFinished) for (const id of [...held.keys()]) flush(id);
    print(envelope);
  };
}
