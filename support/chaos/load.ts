import type { ProberApi } from "../clients/prober-api.ts";
import { UserError } from "../errors/user-error.ts";
import { eventually } from "../wait/eventually.ts";
import type { TrafficSample } from "./verdicts.ts";

// Background load: open-loop traffic at a fixed arrival rate from probers (client pods, or demo-image containers
// outside the cluster), driven by vegeta inside the demo image (images/demo/load.go). A slow Service cannot slow the client down, so failures cannot hide; every request
// is recorded with its scheduled time, so waiting for a busy client counts as latency (no coordinated omission).

/** The prober's limits (images/demo/load.go): requests per second per client, and milliseconds. */
export const maxLoadRatePerClient = 5000;
export const maxLoadDurationMs = 600_000;
export const maxLoadTimeoutMs = 30_000;

const pollRequestTimeoutMs = 10_000;

export interface LoadRequest {
  readonly url: string;
  /** Requests per second over all clients together; split as evenly as whole numbers allow. */
  readonly rate: number;
  /** How long the schedule runs, milliseconds; it stops by itself then, unless stopped earlier. */
  readonly durationMs: number;
  /** Per request: connect, headers and body, milliseconds (prober default 2000). */
  readonly timeoutMs?: number;
  /** Per client: requests in flight at most (prober default: enough for every request to time out). */
  readonly maxWorkers?: number;
}

/** One request as the prober reports it (images/demo/load.go, loadSampleJSON). Unix epoch milliseconds, µs precision. */
export interface ProberLoadSample {
  readonly seq: number;
  readonly scheduledUnixMs: number;
  readonly startUnixMs: number;
  /** From the scheduled time to the end of the answer or the error. */
  readonly latencyMs: number;
  /** From the start to the end of the answer or the error. */
  readonly serviceMs: number;
  readonly ok: boolean;
  readonly status: number;
  readonly errorKind: "" | "refused" | "reset" | "timeout" | "dns" | "blocked" | "http" | "other";
  readonly pod: string;
  readonly frontendPod?: string;
  /** Set when the answering pod had been told to stop (SIGTERM) this many ms before it accepted the connection. */
  readonly afterStopMs?: number;
}

/** What GET /load/{id} and POST /load/{id}/stop answer (images/demo/load.go, loadStatus). Rates in requests/s. */
export interface ProberLoadStatus {
  readonly id: string;
  readonly url: string;
  readonly state: "running" | "done";
  readonly stopReason?: "duration" | "stopped";
  readonly requestedRate: number;
  readonly achievedRate: number;
  readonly rateHeld: boolean;
  readonly rateProblems: string[];
  readonly durationMs: number;
  readonly timeoutMs: number;
  readonly maxWorkers: number;
  readonly planned: number;
  readonly started: number;
  readonly completed: number;
  readonly workersInUse: number;
  readonly peakWorkers: number;
  readonly beganUnixMs: number;
  readonly pacingEndedUnixMs?: number;
  /** Start − scheduled, milliseconds. */
  readonly scheduleLagMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly errorCounts: Record<string, number>;
  readonly errorExamples: Record<string, string>;
  readonly samples: ProberLoadSample[];
  /** The cursor for the next poll (`?since=`): samples come in completion order. */
  readonly next: number;
}

/** A request of the background load, with the client pod that sent it. */
export interface LoadSample extends TrafficSample {
  readonly serviceMs: number;
  readonly frontendPod?: string;
}

/** What one client pod did. Rates in requests per second. */
export interface ClientLoad {
  readonly client: string;
  readonly id: string;
  readonly requestedRate: number;
  readonly achievedRate: number;
  readonly rateHeld: boolean;
  readonly rateProblems: readonly string[];
  readonly planned: number;
  readonly started: number;
  readonly completed: number;
  readonly received: number;
  readonly peakWorkers: number;
  readonly maxWorkers: number;
  readonly stopReason: string;
  readonly beganUnixMs: number;
  readonly scheduleLagMs: ProberLoadStatus["scheduleLagMs"];
  readonly errorCounts: Readonly<Record<string, number>>;
  readonly errorExamples: Readonly<Record<string, string>>;
}

/** The background load's outcome: every request of every client, and whether the requested rate was held. */
export interface LoadResult {
  readonly url: string;
  /** Over all clients, requests per second. */
  readonly requestedRate: number;
  readonly achievedRate: number;
  /** False when any client did not hold its rate or a sample was lost: the figures would be skewed. */
  readonly rateHeld: boolean;
  readonly problems: readonly string[];
  readonly clients: readonly ClientLoad[];
  /** All clients' samples, in scheduled order. */
  readonly samples: readonly LoadSample[];
  /** The earliest client's schedule start (0 if none began). */
  readonly startedAtUnixMs: number;
}

/** The requested rate was not held (or samples were lost), so the traffic figures would be skewed. */
export class LoadRateError extends Error {
  constructor(result: LoadResult) {
    super(
      `expected the background load to hold ${result.requestedRate} requests/s to ${result.url} (overall it achieved ${result.achievedRate.toFixed(1)} requests/s), but:\n  ${result.problems.join("\n  ")}\n  ${summarizeLoad(result)}`,
    );
    this.name = "LoadRateError";
  }
}

/** Throws {@link LoadRateError} unless every client held its rate and recorded requests, and every sample arrived. */
export function expectRateHeld(result: LoadResult): void {
  if (!result.rateHeld) throw new LoadRateError(result);
}

/**
 * Why `total` requests per second cannot be sent from `clients` pods, with what to ask for instead; undefined when it
 * can. `kubequake lint` asks the same of every steady-traffic step in the features.
 */
export function rateProblem(total: number, clients: number): { problem: string; fix: string } | undefined {
  if (Number.isInteger(total) && total >= clients && total <= clients * maxLoadRatePerClient) return undefined;
  return {
    problem: `cannot send ${total} requests/s from ${clients} client(s): each client sends a whole number of requests/s between 1 and ${maxLoadRatePerClient}`,
    fix: `ask for between ${clients} and ${clients * maxLoadRatePerClient} requests per second, or use more clients.`,
  };
}

/**
 * Splits a total rate over `clients` pods as evenly as whole requests per second allow (101 over 2: 51 and 50).
 * Throws a {@link UserError} for a rate no client could send, before anything is started.
 */
export function splitRate(total: number, clients: number): number[] {
  if (!Number.isInteger(clients) || clients < 1) {
    throw new UserError(`cannot send load from ${clients} clients`, "use 1 client or more.");
  }
  const wrong = rateProblem(total, clients);
  if (wrong) throw new UserError(`${wrong.problem}, so nothing was sent`, wrong.fix);
  const base = Math.floor(total / clients);
  return Array.from({ length: clients }, (_, index) => base + (index < total % clients ? 1 : 0));
}

function validateRequest(request: LoadRequest): void {
  if (!Number.isInteger(request.durationMs) || request.durationMs < 1 || request.durationMs > maxLoadDurationMs) {
    throw new UserError(
      `cannot run load to ${request.url} for ${request.durationMs} ms: a run lasts between 1 ms and ${maxLoadDurationMs / 60_000} minutes, so nothing was sent`,
      "give a duration of at most 10 minutes.",
    );
  }
  const timeout = request.timeoutMs ?? 2000;
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > maxLoadTimeoutMs) {
    throw new UserError(
      `cannot run load to ${request.url} with a request timeout of ${timeout} ms: it must be between 1 and ${maxLoadTimeoutMs} ms`,
      "give a timeout of at most 30 seconds.",
    );
  }
}

/** Merges the clients' samples into one list in scheduled order (then client, then seq), each tagged with its client. */
export function mergeClientSamples(
  perClient: readonly { readonly client: string; readonly samples: readonly ProberLoadSample[] }[],
): LoadSample[] {
  const merged: LoadSample[] = [];
  for (const { client, samples } of perClient) for (const sample of samples) merged.push({ ...sample, client });
  return merged.sort(
    (a, b) => a.scheduledUnixMs - b.scheduledUnixMs || a.client.localeCompare(b.client) || a.seq - b.seq,
  );
}

/**
 * Requests per second that started within [fromUnixMs, toUnixMs), from the samples alone: an independent check of
 * what the prober reports, and the rate over any part of a run (say, during a fault). 0 for an empty window.
 */
export function achievedRate(
  samples: readonly { readonly startUnixMs: number }[],
  fromUnixMs: number,
  toUnixMs: number,
): number {
  if (toUnixMs <= fromUnixMs) return 0;
  const started = samples.filter((s) => s.startUnixMs >= fromUnixMs && s.startUnixMs < toUnixMs).length;
  return started / ((toUnixMs - fromUnixMs) / 1000);
}

/** Builds the result from each client's final status and the samples received from it. */
export function buildLoadResult(
  url: string,
  perClient: readonly {
    readonly client: string;
    readonly status: ProberLoadStatus;
    readonly samples: readonly ProberLoadSample[];
  }[],
): LoadResult {
  const problems: string[] = [];
  const clients = perClient.map(({ client, status, samples }): ClientLoad => {
    for (const problem of status.rateProblems) problems.push(`${client}: ${problem}`);
    if (status.state !== "done") problems.push(`${client}: the load was still running when its result was taken`);
    if (samples.length !== status.completed) {
      problems.push(`${client}: received ${samples.length} samples of the ${status.completed} it recorded`);
    } else if (samples.length === 0) {
      // A client that recorded nothing leaves nothing to judge: every check on its traffic would pass vacuously.
      problems.push(
        `${client}: recorded no request at all (${status.planned} planned, ${status.started} started), so there is nothing to judge; let the traffic run before it stops, e.g. When the steady traffic runs for 5 more seconds`,
      );
    }
    return {
      client,
      id: status.id,
      requestedRate: status.requestedRate,
      achievedRate: status.achievedRate,
      rateHeld: status.rateHeld,
      rateProblems: status.rateProblems,
      planned: status.planned,
      started: status.started,
      completed: status.completed,
      received: samples.length,
      peakWorkers: status.peakWorkers,
      maxWorkers: status.maxWorkers,
      stopReason: status.stopReason ?? "",
      beganUnixMs: status.beganUnixMs,
      scheduleLagMs: status.scheduleLagMs,
      errorCounts: status.errorCounts,
      errorExamples: status.errorExamples,
    };
  });
  const began = clients.map((c) => c.beganUnixMs).filter((t) => t > 0);
  return {
    url,
    requestedRate: clients.reduce((sum, c) => sum + c.requestedRate, 0),
    achievedRate: clients.reduce((sum, c) => sum + c.achievedRate, 0),
    rateHeld: problems.length === 0,
    problems,
    clients,
    samples: mergeClientSamples(perClient),
    startedAtUnixMs: began.length > 0 ? Math.min(...began) : 0,
  };
}

/** One line: requested vs achieved per client, requests and failures by kind. */
export function summarizeLoad(result: LoadResult): string {
  const failed = result.samples.filter((s) => !s.ok);
  const kinds: Record<string, number> = {};
  for (const sample of failed) kinds[sample.errorKind] = (kinds[sample.errorKind] ?? 0) + 1;
  const byKind = Object.entries(kinds)
    .map(([kind, count]) => `${count} ${kind}`)
    .join(", ");
  const perClient = result.clients
    .map(
      (c) =>
        `${c.client} ${c.achievedRate.toFixed(1)}/${c.requestedRate} req/s (lag p99 ${c.scheduleLagMs.p99.toFixed(2)} ms, ${c.peakWorkers}/${c.maxWorkers} workers)`,
    )
    .join("; ");
  return `load to ${result.url}: ${result.samples.length} requests, ${failed.length} failed${byKind ? ` (${byKind})` : ""}; ${perClient}`;
}

interface ClientRun {
  readonly client: string;
  readonly api: ProberApi;
  readonly id: string;
  readonly samples: ProberLoadSample[];
  next: number;
  status: ProberLoadStatus | undefined;
}

/**
 * Open-loop load running in the background from one or more probers (client pods, outside containers). Samples are fetched incrementally while
 * it runs; {@link BackgroundLoad.stop} ends it early, {@link BackgroundLoad.done} waits for its stated duration.
 */
export class BackgroundLoad {
  readonly request: LoadRequest;
  readonly #runs: readonly ClientRun[];
  readonly #abort = new AbortController();
  readonly #polling: Promise<void>;
  readonly #note: (line: string) => void;
  #result: Promise<LoadResult> | undefined;

  private constructor(request: LoadRequest, runs: ClientRun[], pollIntervalMs: number, note: (line: string) => void) {
    this.request = request;
    this.#runs = runs;
    this.#note = note;
    // Generous: the schedule, the last requests' timeout, and room for a slow API server.
    const timeoutMs = request.durationMs + (request.timeoutMs ?? 2000) + 60_000;
    // allSettled, not all: when one client's polling ends (stopped, failed), another's GET may still be in flight,
    // and a stop that fetched meanwhile would read the same samples twice.
    this.#polling = Promise.allSettled(
      runs.map((run) =>
        eventually(
          `the load ${run.id} from ${run.client} to ${request.url} is done`,
          async () => {
            const status = await this.#fetch(run, "GET");
            return {
              satisfied: status.state === "done" && run.samples.length >= status.completed,
              value: { state: status.state, completed: status.completed, received: run.samples.length },
            };
          },
          { timeoutMs, intervalMs: pollIntervalMs, signal: this.#abort.signal },
        ),
      ),
    ).then((settled) => {
      const failed = settled.find((s) => s.status === "rejected");
      if (failed) throw failed.reason;
    });
    // Observed by done() or stop(); until then a failed poll must not surface as an unhandled rejection.
    this.#polling.catch(() => undefined);
  }

  /**
   * Starts `request.rate` requests/s (split over `clients`) to `request.url` and returns at once; the clients' runs
   * start within one round trip of each other. A client is a prober API however reached: a pod's through the API
   * server ({@link podProberApi}), an outside container's directly. If one client cannot start, the others are stopped.
   */
  static async start(
    clients: readonly ProberApi[],
    request: LoadRequest,
    options: { pollIntervalMs?: number; note?: (line: string) => void } = {},
  ): Promise<BackgroundLoad> {
    validateRequest(request);
    const rates = splitRate(request.rate, clients.length);
    const attempts = await Promise.allSettled(
      clients.map((api, index) =>
        api
          .post<{ id: string }>(
            "/load/start",
            {
              url: request.url,
              rate: rates[index],
              durationMs: request.durationMs,
              timeoutMs: request.timeoutMs ?? 0,
              maxWorkers: request.maxWorkers ?? 0,
            },
            pollRequestTimeoutMs,
          )
          .then(({ id }): ClientRun => ({ client: api.name, api, id, samples: [], next: 0, status: undefined })),
      ),
    );
    const runs = attempts.flatMap((a) => (a.status === "fulfilled" ? [a.value] : []));
    const failure = attempts.find((a) => a.status === "rejected");
    if (failure) {
      await Promise.allSettled(
        runs.map((run) =>
          run.api.post(`/load/${run.id}/stop?limit=0`, {}, (request.timeoutMs ?? 2000) + pollRequestTimeoutMs),
        ),
      );
      throw new Error(`cannot start load to ${request.url}: ${(failure as PromiseRejectedResult).reason}`);
    }
    const note = options.note ?? (() => undefined);
    note(
      `load to ${request.url}: ${request.rate} requests/s for ${request.durationMs / 1000} s from ${runs.map((r, i) => `${r.client} (${rates[i]}/s, ${r.id})`).join(", ")}`,
    );
    return new BackgroundLoad(request, runs, options.pollIntervalMs ?? 500, note);
  }

  /** The samples received so far from every client, in scheduled order (the newest requests may still be in flight). */
  /** The client pods sending it, by name. */
  get clients(): string[] {
    return this.#runs.map((run) => run.client);
  }

  samplesSoFar(): LoadSample[] {
    return mergeClientSamples(this.#runs);
  }

  /** Waits until the schedule has run its full duration and every request has ended, then returns the result. */
  done(): Promise<LoadResult> {
    this.#result ??= this.#polling.then(() => this.#finish("done"));
    return this.#result;
  }

  /** Ends the schedule now (requests in flight finish within their timeout) and returns the result. Idempotent. */
  stop(): Promise<LoadResult> {
    this.#result ??= this.#stopNow();
    return this.#result;
  }

  async #stopNow(): Promise<LoadResult> {
    this.#abort.abort(new Error("the load was stopped"));
    // Let a poll in progress land first, so the cursor is not read twice.
    await this.#polling.catch(() => undefined);
    await Promise.all(this.#runs.map((run) => this.#fetch(run, "STOP")));
    return this.#finish("stopped");
  }

  async #finish(how: "done" | "stopped"): Promise<LoadResult> {
    // A page holds at most 50000 samples; fetch the rest.
    for (const run of this.#runs) {
      while (run.status && run.samples.length < run.status.completed) {
        const before = run.samples.length;
        await this.#fetch(run, "GET");
        // A page without new samples would never end this loop; buildLoadResult reports the shortfall instead.
        if (run.samples.length === before) break;
      }
    }
    const result = buildLoadResult(
      this.request.url,
      this.#runs.map((run) => ({ client: run.client, status: run.status!, samples: run.samples })),
    );
    this.#note(
      `${how}: ${summarizeLoad(result)}${result.rateHeld ? "" : `; rate not held: ${result.problems.join("; ")}`}`,
    );
    return result;
  }

  async #fetch(run: ClientRun, how: "GET" | "STOP"): Promise<ProberLoadStatus> {
    const status =
      how === "GET"
        ? await run.api.get<ProberLoadStatus>(`/load/${run.id}?since=${run.next}`, pollRequestTimeoutMs)
        : await run.api.post<ProberLoadStatus>(
            `/load/${run.id}/stop?since=${run.next}`,
            {},
            // The prober answers once the requests in flight have ended, each within its timeout.
            (this.request.timeoutMs ?? 2000) + pollRequestTimeoutMs,
          );
    // A page may hold 50000 samples: too many to spread into one call's arguments.
    for (const sample of status.samples) run.samples.push(sample);
    run.next = status.next;
    run.status = status;
    return status;
  }
}
