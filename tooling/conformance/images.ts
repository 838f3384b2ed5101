import type { Logger } from "../../support/log/logger.ts";
import { runCommand } from "../../support/process/command.ts";

/** An image in a node's containerd, as crictl lists it. */
interface NodeImage {
  readonly id: string;
  readonly repoTags: readonly string[];
}

async function imagesOnNode(node: string): Promise<NodeImage[]> {
  const result = await runCommand("docker", ["exec", node, "crictl", "images", "-o", "json"], { timeoutMs: 60_000 });
  const parsed = JSON.parse(result.stdout) as { images: { id: string; repoTags: string[] | null }[] };
  return parsed.images.map((image) => ({ id: image.id, repoTags: image.repoTags ?? [] }));
}

async function dockerImageId(image: string): Promise<string> {
  const result = await runCommand("docker", ["image", "inspect", "--format", "{{.Id}}", image], { timeoutMs: 30_000 });
  return result.stdout.trim();
}

/**
 * Makes every name in `names` (tags of `baseImage`) present in every node's containerd, with `baseImage`'s content.
 * A node that already has all of them at the same image id is left alone, so a second run costs one `crictl` per node.
 *
 * Loaded with `docker save | ctr images import` and without `--digests`: on the nodes' containerd 1.6, `kind load`
 * (which passes `--digests`) leaves digest-only phantom entries in the kubelet's image list.
 *
 * @returns the nodes that had to be loaded
 */
export async function ensureImagesOnNodes(
  baseImage: string,
  names: readonly string[],
  nodes: readonly string[],
  log: Logger,
): Promise<string[]> {
  for (const name of names) await runCommand("docker", ["tag", baseImage, name], { timeoutMs: 30_000 });
  const wantedId = await dockerImageId(baseImage);
  // Nodes are loaded side by side: each load is a stream from Docker into one node's containerd.
  const loaded = await Promise.all(
    nodes.map(async (node) => {
      const present = await imagesOnNode(node);
      const missing = names.filter(
        (name) => !present.some((image) => image.id === wantedId && image.repoTags.includes(name)),
      );
      if (missing.length === 0) return undefined;
      const started = performance.now();
      await runCommand(
        "bash",
        [
          "-c",
          'set -euo pipefail; node=$1; shift; docker save "$@" | docker exec -i "$node" ctr -n k8s.io images import -',
          "load-images",
          node,
          ...names,
        ],
        { timeoutMs: 5 * 60_000 },
      );
      log.info(
        `images      loaded ${missing.length} test image name(s) into ${node} in ${((performance.now() - started) / 1000).toFixed(1)}s`,
      );
      return node;
    }),
  );
  return loaded.filter((node) => node !== undefined);
}
