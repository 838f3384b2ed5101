import { runCommand } from "../process/command.ts";

/**
 * Loads images from this machine's Docker into the containerd of nodes that are Docker containers here (kind
 * nodes, kind's own way: `docker save | ctr images import`), skipping nodes that have them already. Returns what
 * was done per node, for the log.
 */
export async function loadImagesIntoNodes(images: readonly string[], nodes: readonly string[]): Promise<string[]> {
  const done: string[] = [];
  for (const node of nodes) {
    const listed = await runCommand("docker", ["exec", node, "crictl", "images", "-o", "json"], { timeoutMs: 60_000 });
    const present = new Set(
      (JSON.parse(listed.stdout) as { images: { repoTags: string[] | null }[] }).images.flatMap(
        (i) => i.repoTags ?? [],
      ),
    );
    const missing = images.filter((image) => !present.has(image.includes("/") ? image : `docker.io/library/${image}`));
    if (missing.length === 0) {
      done.push(`${node}: already there`);
      continue;
    }
    // Image names and node names are passed as positional parameters of the script, never spliced into it.
    await runCommand(
      "bash",
      [
        "-o",
        "pipefail",
        "-c",
        'node="$1"; shift; docker save "$@" | docker exec -i "$node" ctr --namespace=k8s.io images import --all-platforms -',
        "load",
        node,
        ...missing,
      ],
      { timeoutMs: 5 * 60_000 },
    );
    done.push(`${node}: loaded ${missing.join(", ")}`);
  }
  return done;
}
