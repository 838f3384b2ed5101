import { request } from "undici";
import type { Kube } from "../kube/client.ts";

/** One GET of the API server's discovery documents (read only); its JSON, or an error naming the path and status. */
export async function getDiscovery<T>(kube: Kube, path: string): Promise<T> {
  const response = await request(`${kube.server}${path}`, {
    dispatcher: kube.agent,
    headers: { ...kube.headers, accept: "application/json" },
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  const text = await response.body.text();
  if (response.statusCode !== 200) {
    throw new Error(`GET ${path} answered ${response.statusCode}: ${text.slice(0, 300)}`);
  }
  return JSON.parse(text) as T;
}

interface GroupDoc {
  readonly name: string;
  readonly versions?: { groupVersion: string }[];
}

/**
 * Checks the API server's discovery, as clients find a resource: /apis lists the group with the version,
 * /apis/<group> lists the version, and /apis/<group>/<version> lists the resource (e.g. endpointslices in
 * discovery.k8s.io/v1). Each missing link is named, with what the document listed instead.
 */
export async function expectApiServes(kube: Kube, target: { resource: string; groupVersion: string }): Promise<void> {
  const { resource, groupVersion } = target;
  const group = groupVersion.split("/")[0]!;
  const problems: string[] = [];
  const apis = await getDiscovery<{ groups?: GroupDoc[] }>(kube, "/apis");
  const listed = apis.groups?.find((g) => g.name === group);
  if (!listed?.versions?.some((v) => v.groupVersion === groupVersion)) {
    const seen = listed ? listed.versions?.map((v) => v.groupVersion).join(", ") : "the group is not listed";
    problems.push(`/apis does not list ${groupVersion} (${seen})`);
  }
  const groupDoc = await getDiscovery<GroupDoc>(kube, `/apis/${group}`);
  if (!groupDoc.versions?.some((v) => v.groupVersion === groupVersion)) {
    problems.push(`/apis/${group} lists ${groupDoc.versions?.map((v) => v.groupVersion).join(", ") || "no version"}`);
  }
  const resources = await getDiscovery<{ resources?: { name: string }[] }>(kube, `/apis/${groupVersion}`);
  const names = (resources.resources ?? []).map((r) => r.name);
  if (!names.includes(resource)) problems.push(`/apis/${groupVersion} lists ${names.join(", ") || "no resource"}`);
  if (problems.length > 0) {
    throw new Error(
      `expected the API server to serve ${resource} in ${groupVersion}, but ${problems.join("; ")}. ` +
        "Check the spelling (the plural, as `kubectl api-resources` shows it), the API server's version and its --runtime-config.",
    );
  }
}
