import { runCommand } from "../../support/process/command.ts";

export async function dockerImageExists(image: string): Promise<boolean> {
  const result = await runCommand("docker", ["image", "inspect", "--format", "{{.Id}}", image], {
    allowFailure: true,
    timeoutMs: 30_000,
  });
  return result.exitCode === 0;
}

export async function dockerImageSize(image: string): Promise<number | undefined> {
  const result = await runCommand("docker", ["image", "inspect", "--format", "{{.Size}}", image], {
    allowFailure: true,
    timeoutMs: 30_000,
  });
  return result.exitCode === 0 ? Number(result.stdout.trim()) : undefined;
}

/** Whether a Docker engine answers, without starting one. */
export async function dockerAnswers(): Promise<{ answers: boolean; version?: string; runtime?: string }> {
  const result = await runCommand("docker", ["info", "--format", "{{.ServerVersion}} {{.DefaultRuntime}}"], {
    allowFailure: true,
    timeoutMs: 15_000,
  }).catch(() => ({ exitCode: -1, stdout: "", stderr: "" }));
  if (result.exitCode !== 0) return { answers: false };
  const [version, runtime] = result.stdout.trim().split(" ");
  return { answers: true, version, runtime };
}
