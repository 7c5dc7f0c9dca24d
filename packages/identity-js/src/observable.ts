/**
 * A value that changes over time, like Kotlin's `StateFlow` in the Android guide: `subscribe`
 * calls the listener at once with the current value and then on every change, and returns the
 * function that unsubscribes.
 */
export interface Observable<T> {
  readonly value: T;
  subscribe(listener: (value: T) => void): () => void;
  unsubscribe(listener: (value: T) => void): void;
}

/** A throwing listener must not stop the others from hearing the change: its error is rethrown later. */
export function notify<T>(listener: (value: T) => void, value: T): void {
  try {
    listener(value);
  } catch (e) {
    queueMicrotask(() => {
      throw e;
    });
  }
}

export class ObservableValue<T> implements Observable<T> {
  #value: T;
  readonly #listeners = new Set<(value: T) => void>();

  constructor(
    initial: T,
    private readonly same: (a: T, b: T) => boolean = Object.is,
  ) {
    this.#value = initial;
  }

  get value(): T {
    return this.#value;
  }

  set(next: T): void {
    if (this.same(this.#value, next)) return;
    this.#value = next;
    for (const l of [...this.#listeners]) notify(l, next);
  }

  subscribe(listener: (value: T) => void): () => void {
    this.#listeners.add(listener);
    notify(listener, this.#value);
    return () => this.unsubscribe(listener);
  }

  unsubscribe(listener: (value: T) => void): void {
    this.#listeners.delete(listener);
  }
}
