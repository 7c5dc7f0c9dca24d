/** Shared by the scheduler tests: polling a query until a condition holds (no fixed waits). */
import type { ConvexHttpClient } from "convex/browser";
import type { FunctionReference } from "convex/server";

export async function until<T>(
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Job {
  _id: string;
  name: string;
  args: Record<string, unknown>[];
  scheduledTime: number;
  completedTime?: number;
  state: { kind: string; error?: string };
}

export interface Run {
  tag: string;
  step?: number;
}

export function query<T>(client: ConvexHttpClient, ref: unknown, args: Record<string, unknown> = {}): Promise<T> {
  return client.query(ref as FunctionReference<"query">, args) as Promise<T>;
}

export function mutation<T>(client: ConvexHttpClient, ref: unknown, args: Record<string, unknown> = {}): Promise<T> {
  return client.mutation(ref as FunctionReference<"mutation">, args) as Promise<T>;
}

export function action<T>(client: ConvexHttpClient, ref: unknown, args: Record<string, unknown> = {}): Promise<T> {
  return client.action(ref as FunctionReference<"action">, args) as Promise<T>;
}
