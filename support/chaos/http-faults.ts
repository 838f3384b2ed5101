import { UserError } from "../errors/user-error.ts";
import { apiStatus, postToPod } from "../kube/client.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import type { Backend } from "../services/backend.ts";
import { defineFault } from "./declaration.ts";
import { planToxiproxyInPath } from "./latency.ts";

/**
 * Connections to a Service reset by Toxiproxy in its path (latency.ts puts it there): its `reset_peer` toxic, with no
 * delay, answers a share of the new connections with a TCP reset as soon as the client sends its request, which a
 * client sees as "connection reset by peer" (the steady traffic's `reset` kind). The share is Toxiproxy's toxicity:
 * each connection is reset with that probability. Needs the demo image's latency-proxy with TOXICS (images/demo).
 */
export const connectionsReset = defineFault({
  phrase: "{int}% of the connections to the Service {string} are reset",
  doc: "Toxiproxy pods go between the Service and its backends and reset (TCP RST) that share of the new connections as their request arrives; the Service selects its backends again at the end of the scenario.",
  scope: "namespace",
  plan: async (scenario: ScenarioContext, percent: number, service: string) => {
    if (!(Number.isInteger(percent) && percent >= 1 && percent <= 100)) {
      throw new UserError(
        `cannot reset ${percent}% of the connections to the Service "${service}": a share of connections is a whole percentage from 1% to 100%`,
        `give a percentage from 1 to 100, e.g. When 30% of the connections to the Service "${service}" are reset.`,
      );
    }
    const plan = await planToxiproxyInPath(scenario, service, {
      label: `${percent}% of the connections to the Service ${service} reset`,
      suffix: "resets",
      toxics: [
        { name: "reset", type: "reset_peer", stream: "upstream", toxicity: percent / 100, attributes: { timeout: 0 } },
      ],
    });
    return plan;
  },
});

/**
 * A share of a backend's answers turned into an HTTP error, as a failing application would answer: each ready demo pod
 * answers that share of its requests with the status (its admin endpoint `POST /admin/fail`; health probes are
 * untouched, so the pods stay Ready and in the Service). Only the demo backend can do it; a pod that replaces one
 * meanwhile answers normally.
 */
export const answersFailWithStatus = defineFault({
  phrase: "{int}% of the answers of {backend} are HTTP {int}",
  doc: "Each ready pod of the demo backend answers that share of its requests with the HTTP error status (its pods stay Ready); they answer normally again at the end of the scenario.",
  scope: "namespace",
  plan: async (scenario: ScenarioContext, percent: number, backend: Backend, status: number) => {
    if (!(Number.isInteger(percent) && percent >= 1 && percent <= 100)) {
      throw new UserError(
        `cannot fail ${percent}% of the answers of "${backend.name}": a share of answers is a whole percentage from 1% to 100%`,
        "give a percentage from 1 to 100.",
      );
    }
    if (!(Number.isInteger(status) && status >= 400 && status <= 599)) {
      throw new UserError(
        `cannot answer with HTTP ${status}: the fault makes HTTP errors, statuses from 400 to 599`,
        "give an error status, e.g. 503 or 500.",
      );
    }
    const pods = await backend.readyPodNames();
    if (pods.length === 0) {
      throw new UserError(
        `no ready pod of "${backend.name}" to fail answers of`,
        "deploy the demo backend first and wait until it is ready.",
      );
    }
    const setShare = (pod: string, share: number) =>
      postToPod(
        scenario.kube,
        { namespace: scenario.name, pod, port: 8080, path: `/admin/fail?percent=${share}&status=${status}` },
        {},
        10_000,
      );
    return {
      label: `${percent}% of the answers of ${backend.name} HTTP ${status} (${pods.join(", ")})`,
      pods,
      apply: async () => {
        await Promise.all(pods.map((pod) => setShare(pod, percent)));
      },
      undo: async () => {
        const errors: string[] = [];
        for (const pod of pods) {
          await setShare(pod, 0).catch(async (error: unknown) => {
            // A pod that is gone answers nothing any more: nothing left to undo there. Anything else is reported.
            if (!(await podExists(scenario, pod))) return;
            errors.push(`${pod}: ${error instanceof Error ? error.message : String(error)}`);
          });
        }
        if (errors.length > 0) throw new Error(`the pods still fail answers: ${errors.join("; ")}`);
      },
    };
  },
});

async function podExists(scenario: ScenarioContext, pod: string): Promise<boolean> {
  try {
    await scenario.kube.core.readNamespacedPod({ name: pod, namespace: scenario.name });
    return true;
  } catch (error) {
    if (apiStatus(error) === 404) return false;
    throw error;
  }
}
