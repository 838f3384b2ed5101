import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { kubeconfigPath, listKindClusters } from "../../support/cluster/kind.ts";
import { networkOfCluster } from "../../support/cluster/variant.ts";
import { connectKube, type Kube } from "../../support/kube/client.ts";
import { runLabel } from "../../support/kube/namespace.ts";

export interface CucumberRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
}

/** Runs a command of the project with Node 24, capturing stdout+stderr; `onStart` gets the child for signals. */
export function runNode(
  args: readonly string[],
  env: Record<string, string>,
  onStart?: (child: ReturnType<typeof spawn>) => void,
): Promise<CucumberRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    onStart?.(child);
    child.on("close", (code, signal) => resolve({ code, signal, output }));
  });
}

export const cucumberBin = "node_modules/@cucumber/cucumber/bin/cucumber.js";

export function newRunId(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}`;
}

let kube: Kube | undefined;
export async function clusterKube(): Promise<Kube> {
  kube ??= await connectKube(kubeconfigPath);
  return kube;
}

/** Namespaces of a run that still exist and are not being deleted (a leak). */
export async function liveNamespacesOfRun(runId: string): Promise<string[]> {
  const list = await (await clusterKube()).core.listNamespace({ labelSelector: `${runLabel}=${runId}` });
  return list.items.filter((ns) => ns.status?.phase !== "Terminating").map((ns) => ns.metadata!.name!);
}

/** A report attachment with its body as text (long text is attached base64-encoded to keep the console short). */
export interface Attachment {
  readonly fileName?: string;
  readonly mediaType: string;
  readonly body: string;
}

/** Every attachment of a Cucumber messages file, text bodies decoded. */
export function readAttachments(messagesFile: string): Attachment[] {
  return readFileSync(messagesFile, "utf8")
    .split("\n")
    .filter((line) => line.includes('"attachment"'))
    .map((line) => {
      const attachment = JSON.parse(line).attachment as Attachment & { contentEncoding?: string };
      const text = attachment.contentEncoding === "BASE64" && attachment.mediaType.startsWith("text/");
      return { ...attachment, body: text ? Buffer.from(attachment.body, "base64").toString("utf8") : attachment.body };
    });
}

/** The other kind clusters on a Docker network, as `cluster down` counts them before it removes the network's seal. */
export async function otherClustersOnNetwork(network: string, self: string): Promise<string[]> {
  return (await listKindClusters()).filter((cluster) => cluster !== self && networkOfCluster(cluster) === network);
}
