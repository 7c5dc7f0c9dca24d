/**
 * Deployment environment variables: validation of names and values (Convex's documented
 * limits), applying a batch of changes, and keeping the engine and storage in step.
 */
import { badRequest } from "../errors.js";
import type { Storage } from "@tandem/storage";
import type { EngineAdmin } from "../engine/types.js";
import { loadEnvironment, saveEnvironment } from "../deploy/deployment-store.js";

export const ENV_LIMITS = { nameLength: 40, valueBytes: 8 * 1024, count: 1000 } as const;
const NAME = /^[a-zA-Z][a-zA-Z0-9_]*$/;
/** Set by the deployment itself (docs/architecture.md#runtime-environment). */
export const RESERVED = new Set(["CONVEX_CLOUD_URL", "CONVEX_SITE_URL"]);

export interface EnvChange {
  readonly name: string;
  /** null deletes the variable. */
  readonly value: string | null;
}

export function parseEnvChanges(raw: unknown): EnvChange[] {
  if (!Array.isArray(raw)) throw badRequest("InvalidEnvironmentVariables", "`changes` must be an array.");
  return raw.map((c: unknown) => {
    if (c === null || typeof c !== "object")
      throw badRequest("InvalidEnvironmentVariables", "Each change must be an object.");
    const { name, value } = c as Record<string, unknown>;
    if (typeof name !== "string") throw badRequest("InvalidEnvironmentVariables", "Each change needs a string `name`.");
    if (value !== null && typeof value !== "string") {
      throw badRequest("InvalidEnvironmentVariableValue", `The value of ${name} must be a string or null.`);
    }
    return { name, value };
  });
}

export function checkEnvName(name: string): void {
  if (name.length === 0 || name.length > ENV_LIMITS.nameLength) {
    throw badRequest(
      "InvalidEnvironmentVariableName",
      `Environment variable name ${JSON.stringify(name)} must be between 1 and ${ENV_LIMITS.nameLength} characters long.`,
    );
  }
  if (!NAME.test(name)) {
    throw badRequest(
      "InvalidEnvironmentVariableName",
      `Environment variable name ${JSON.stringify(name)} must start with a letter and contain only letters, numbers and underscores.`,
    );
  }
}

export function applyEnvChanges(
  current: Readonly<Record<string, string>>,
  changes: readonly EnvChange[],
): Record<string, string> {
  const next: Record<string, string> = { ...current };
  for (const { name, value } of changes) {
    checkEnvName(name);
    if (RESERVED.has(name)) {
      throw badRequest(
        "InvalidEnvironmentVariableName",
        `Environment variable ${name} is set by the deployment and cannot be changed.`,
      );
    }
    if (value === null) {
      delete next[name];
      continue;
    }
    if (Buffer.byteLength(value, "utf8") > ENV_LIMITS.valueBytes) {
      throw badRequest(
        "InvalidEnvironmentVariableValue",
        `The value of ${name} is too large: the limit is ${ENV_LIMITS.valueBytes} bytes.`,
      );
    }
    next[name] = value;
  }
  if (Object.keys(next).length > ENV_LIMITS.count) {
    throw badRequest(
      "TooManyEnvironmentVariables",
      `A deployment can have at most ${ENV_LIMITS.count} environment variables.`,
    );
  }
  return next;
}

/**
 * The deployment's variables, kept in storage and pushed into the engine on every change.
 * `system` ones (`CONVEX_CLOUD_URL`, `CONVEX_SITE_URL`) are visible to functions and to
 * `auth.config.ts` but are not the user's to list or set.
 */
export class EnvironmentVariables {
  #vars: Record<string, string>;
  constructor(
    private readonly storage: Storage,
    private readonly engine: Pick<EngineAdmin, "setEnvironment">,
    initial: Readonly<Record<string, string>>,
    private readonly system: Readonly<Record<string, string>> = {},
  ) {
    this.#vars = { ...initial };
    engine.setEnvironment(this.effective());
  }

  /** The user's variables. */
  all(): Readonly<Record<string, string>> {
    return this.#vars;
  }

  /** What `process.env` shows inside functions: the user's variables plus the system ones. */
  effective(): Readonly<Record<string, string>> {
    return { ...this.#vars, ...this.system };
  }

  /** Takes the stored variables when another node changed them (nodes on one database). */
  async refresh(): Promise<void> {
    const stored = await loadEnvironment(this.storage);
    if (JSON.stringify(stored) === JSON.stringify(this.#vars)) return;
    this.#vars = stored;
    this.engine.setEnvironment(this.effective());
  }

  async update(changes: readonly EnvChange[]): Promise<void> {
    const next = applyEnvChanges(this.#vars, changes);
    await saveEnvironment(this.storage, next);
    this.#vars = next;
    this.engine.setEnvironment(this.effective());
  }
}
