import { type KubernetesObject, type ListPromise, makeInformer } from "@kubernetes/client-node";
import type { Kube } from "./client.ts";

/** Delay before restarting an informer that stopped on an error (not a timeout). Milliseconds. */
const restartDelayMs = 1000;

/**
 * A live view of the objects at one API path, kept current by client-node's informer (list, then watch). The
 * informer reconnects by itself when the client's 30 s idle timeout ends a quiet watch, and re-lists when the
 * API server says the resource version is gone (410); on any other error it stops, so this restarts it and
 * remembers the error for the report. `onChange` runs after every change with the current objects.
 */
export class ObjectStream<T extends KubernetesObject> {
  readonly #informer: ReturnType<typeof makeInformer<T>>;
  #connects = 0;
  #stopped = false;
  #lastError: unknown;
  #restart: ReturnType<typeof setTimeout> | undefined;

  private constructor(informer: ReturnType<typeof makeInformer<T>>) {
    this.#informer = informer;
  }

  /** Starts streaming; resolves once the initial list is in and the watch is open (`onChange` has run once). */
  static async start<T extends KubernetesObject>(
    kube: Kube,
    path: string,
    list: ListPromise<T>,
    labelSelector: string | undefined,
    onChange: (objects: readonly T[]) => void,
  ): Promise<ObjectStream<T>> {
    const stream = new ObjectStream(makeInformer<T>(kube.config, path, list, labelSelector));
    const informer = stream.#informer;
    let listed = false;
    // During the initial list the objects arrive one by one; a partial view must not look like a real state.
    const changed = () => {
      if (listed) onChange(informer.list());
    };
    informer.on("add", changed);
    informer.on("update", changed);
    informer.on("delete", changed);
    informer.on("connect", () => {
      stream.#connects += 1;
    });
    const restart = (error: unknown) => {
      if (stream.#stopped) return;
      stream.#lastError = error;
      stream.#restart = setTimeout(() => {
        if (!stream.#stopped) informer.start().catch(restart);
      }, restartDelayMs);
    };
    informer.on("error", restart);
    await informer.start();
    listed = true;
    onChange(informer.list());
    return stream;
  }

  /** The objects as last seen. */
  list(): readonly T[] {
    return this.#informer.list();
  }

  /** How many times the watch was re-opened after the first connection (idle timeouts, errors). */
  get reconnects(): number {
    return Math.max(0, this.#connects - 1);
  }

  /** The last error that stopped the watch (it was restarted), if any. */
  get lastError(): unknown {
    return this.#lastError;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#restart);
    await this.#informer.stop();
  }
}
