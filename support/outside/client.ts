import type { HttpProbe } from "../kube/prober.ts";

/**
 * Sends requests from outside the cluster: a throwaway container on the kind Docker network (the "outside world"
 * next to the nodes), running the demo image's one-shot prober. It may connect only to `allowedNetworks`.
 * Started and removed with testcontainers; its Ryuk reaper image cannot be pulled here, so removal is explicit.
 */
export async function probeFromOutside(
  image: string,
  request: { url: string; count: number; allowedNetworks: string; network?: string },
): Promise<HttpProbe> {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
  const { GenericContainer, Wait } = await import("testcontainers");
  const container = await new GenericContainer(image)
    .withNetworkMode(request.network ?? "kind")
    .withEnvironment({ ALLOWED_NETWORKS: request.allowedNetworks })
    .withCommand(["probe-http", "--url", request.url, "--count", String(request.count)])
    .withWaitStrategy(Wait.forOneShotStartup())
    .withStartupTimeout(60_000)
    .start();
  try {
    const chunks: string[] = [];
    const logs = await container.logs();
    await new Promise<void>((resolve, reject) => {
      logs.on("data", (chunk: Buffer | string) => chunks.push(chunk.toString()));
      logs.on("end", () => resolve());
      logs.on("error", reject);
    });
    const output = chunks.join("");
    try {
      return JSON.parse(output) as HttpProbe;
    } catch {
      throw new Error(`the outside client printed no probe result; its output:\n${output.slice(0, 2000)}`);
    }
  } finally {
    await container.stop({ remove: true, removeVolumes: true });
  }
}
