/** Thrown when an invariant of our own code breaks: a bug, never a user error. */
export class InvariantError extends Error {
  override name = "InvariantError";
}

export function assert(condition: unknown, message = "assertion failed"): asserts condition {
  if (!condition) throw new InvariantError(message);
}

/** End of an exhaustive switch: `default: return unreachable(x)`. */
export function unreachable(value: never, message = "unreachable"): never {
  throw new InvariantError(`${message}: ${JSON.stringify(value)}`);
}
