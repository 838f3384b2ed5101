/** A scenario as cucumber-js's parallel scheduler sees it (only its tags matter here). */
export interface TaggedPickle {
  readonly tags: readonly { readonly name: string }[];
}

const isSerial = (pickle: TaggedPickle) => pickle.tags.some((tag) => tag.name === "@serial");

/**
 * cucumber-js parallel assignment rule: a scenario tagged @serial starts only when nothing else runs, and nothing
 * else starts while one runs (for scenarios that touch cluster-wide state).
 */
export function canStartInParallel(candidate: TaggedPickle, running: readonly TaggedPickle[]): boolean {
  return isSerial(candidate) ? running.length === 0 : !running.some(isSerial);
}
