import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";

/** What a finished external command produced. */
export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CommandOptions {
  /** Hard limit; the process group is killed when it is reached. Milliseconds. */
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly input?: string;
  /** Append stdout and stderr to this file as they arrive (build logs). */
  readonly logFile?: string;
  /** Resolve with the non-zero exit code instead of rejecting. */
  readonly allowFailure?: boolean;
  /** Also pass the command's stderr through to ours as it arrives (progress of long work). */
  readonly showProgress?: boolean;
}

/** A command that failed: carries the command line, exit code and the tail of its output for the error message. */
export class CommandError extends Error {
  readonly result: CommandResult;
  constructor(commandLine: string, result: CommandResult, reason: string) {
    const tail = lastLines(`${result.stderr}\n${result.stdout}`.trim(), 15);
    super(`\`${commandLine}\` ${reason}${tail ? `; last output:\n${indent(tail)}` : ""}`);
    this.name = "CommandError";
    this.result = result;
  }
}

const running = new Set<number>();

/** Runs a program (no shell) and captures its output; rejects with {@link CommandError} on failure or timeout. */
export function runCommand(
  program: string,
  args: readonly string[],
  options: CommandOptions = {},
): Promise<CommandResult> {
  const commandLine = [program, ...args].join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      detached: true,
    });
    const log = options.logFile ? createWriteStream(options.logFile, { flags: "a" }) : undefined;
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      log?.write(chunk);
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      log?.write(chunk);
      if (options.showProgress) process.stderr.write(chunk);
    });
    if (child.pid !== undefined) running.add(child.pid);
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            killGroup(child.pid);
          }, options.timeoutMs);
    child.on("error", (error: NodeJS.ErrnoException) => {
      if (timer) clearTimeout(timer);
      const hint = error.code === "ENOENT" ? `: ${program} is not installed or not on PATH` : `: ${error.message}`;
      reject(new CommandError(commandLine, { exitCode: -1, stdout, stderr }, `could not start${hint}`));
    });
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      if (child.pid !== undefined) running.delete(child.pid);
      log?.end();
      const result = { exitCode: code ?? -1, stdout, stderr };
      if (timedOut) reject(new CommandError(commandLine, result, `did not finish within ${options.timeoutMs} ms`));
      else if (code === 0 || options.allowFailure) resolve(result);
      else reject(new CommandError(commandLine, result, `exited with ${code ?? `signal ${signal}`}`));
    });
    if (child.stdin) {
      // A child that exits before reading its input must not crash this process with EPIPE.
      child.stdin.on("error", () => undefined);
      child.stdin.end(options.input);
    }
  });
}

/** Kills every command this process started that is still running (Ctrl-C, SIGTERM). */
export function killRunningCommands(): void {
  for (const pid of running) killGroup(pid);
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    // Already gone: nothing to stop.
  }
}

function lastLines(text: string, count: number): string {
  return text.split("\n").slice(-count).join("\n");
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
}
