import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const projectRoot = fileURLToPath(new URL("../../", import.meta.url));
export const versionsFile = `${projectRoot}cluster/versions.env`;

/** The pinned versions of everything the cluster is built from (cluster/versions.env). */
export interface PinnedVersions {
  readonly KIND_VERSION: string;
  readonly KUBERNETES_VERSION: string;
  readonly KUBERNETES_STAGING_VERSION: string;
  readonly ETCD_VERSION: string;
  readonly ETCD_IMAGE_TAG: string;
  readonly COREDNS_VERSION: string;
  readonly CRICTL_VERSION: string;
  readonly CNI_PLUGINS_VERSION: string;
  readonly FLANNEL_VERSION: string;
  readonly METALLB_VERSION: string;
  readonly PAUSE_IMAGE_TAG: string;
  readonly DEBIAN_SUITE: string;
  readonly NODE_RECIPE: string;
}

const required: readonly (keyof PinnedVersions)[] = [
  "KIND_VERSION",
  "KUBERNETES_VERSION",
  "KUBERNETES_STAGING_VERSION",
  "ETCD_VERSION",
  "ETCD_IMAGE_TAG",
  "COREDNS_VERSION",
  "CRICTL_VERSION",
  "CNI_PLUGINS_VERSION",
  "FLANNEL_VERSION",
  "METALLB_VERSION",
  "PAUSE_IMAGE_TAG",
  "DEBIAN_SUITE",
  "NODE_RECIPE",
];

/** Parses KEY=value lines (comments and blank lines ignored); reports the file and line of anything else. */
export function parseVersions(text: string, fileName = versionsFile): PinnedVersions {
  const values: Record<string, string> = {};
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const match = /^([A-Z][A-Z0-9_]*)=([^\s#]+)$/.exec(line);
    if (!match) throw new Error(`${fileName}:${index + 1}: expected KEY=value, saw "${line}"`);
    values[match[1]!] = match[2]!;
  });
  const missing = required.filter((key) => !values[key]);
  if (missing.length > 0)
    throw new Error(`${fileName}: missing ${missing.join(", ")}; every pinned version is required`);
  return values as unknown as PinnedVersions;
}

export function loadVersions(): PinnedVersions {
  return parseVersions(readFileSync(versionsFile, "utf8"));
}

/** The Kubernetes minor version implied by the staging-tag convention: v1.34.4 ↔ v0.34.4. */
export function checkStagingMatches(versions: PinnedVersions): void {
  const expected = versions.KUBERNETES_VERSION.replace(/^v1\./, "v0.");
  if (versions.KUBERNETES_STAGING_VERSION !== expected) {
    throw new Error(
      `${versionsFile}: KUBERNETES_STAGING_VERSION is ${versions.KUBERNETES_STAGING_VERSION}, expected ${expected} to match KUBERNETES_VERSION ${versions.KUBERNETES_VERSION}`,
    );
  }
}
