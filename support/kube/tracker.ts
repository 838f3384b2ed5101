import { apiStatus } from "./client.ts";

interface Tracked {
  readonly description: string;
  readonly remove: () => Promise<unknown>;
}

/**
 * Records everything a scenario creates and removes it in reverse order. A missing object counts as removed;
 * every other failure is collected, and all of them are reported together after every removal was attempted.
 */
export class ResourceTracker {
  readonly #tracked: Tracked[] = [];

  track(description: string, remove: () => Promise<unknown>): void {
    this.#tracked.push({ description, remove });
  }

  get descriptions(): string[] {
    return this.#tracked.map((t) => t.description);
  }

  async cleanup(): Promise<void> {
    const errors: Error[] = [];
    for (const item of this.#tracked.splice(0).reverse()) {
      try {
        await item.remove();
      } catch (error) {
        if (apiStatus(error) === 404) continue;
        errors.push(
          new Error(`removing ${item.description}: ${error instanceof Error ? error.message : String(error)}`),
        );
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, `cleanup failed for ${errors.length} object(s)`);
  }
}
