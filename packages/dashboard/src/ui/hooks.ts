/**
 * Small hooks the pages share: a subscribed query (live over the sync WebSocket), a polled value
 * (for what has no subscription: the identity service, env vars…) and an async action.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { Api } from "./api.js";

export interface Live<T> {
  readonly data: T | undefined;
  readonly error: string | null;
}

/**
 * A query's result, kept current by the backend: re-sent when a commit changes what it read, so
 * nothing polls. `args: null` subscribes to nothing (data undefined).
 */
export function useLive<T>(api: Api, path: string, args: Record<string, unknown> | null): Live<T> {
  const [state, setState] = useState<Live<T>>({ data: undefined, error: null });
  const key = args === null ? null : JSON.stringify(args);
  useEffect(() => {
    setState({ data: undefined, error: null });
    if (key === null) return;
    return api.subscribe(
      path,
      JSON.parse(key) as Record<string, unknown>,
      (v) => setState({ data: v as T, error: null }),
      (e) => setState((s) => ({ data: s.data, error: e.message })),
    );
  }, [api, path, key]);
  return state;
}

export interface Polled<T> {
  readonly data: T | undefined;
  readonly error: string | null;
  refresh(): void;
}

/** Calls `load` now and every `everyMs` while mounted; re-renders only when the answer changes. */
export function usePoll<T>(load: () => Promise<T>, deps: readonly unknown[], everyMs = 1000): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const last = useRef<string>("");
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    last.current = "";
    setData(undefined);
    const round = async () => {
      try {
        const v = await load();
        if (!alive) return;
        const text = JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? `${x}n` : x));
        if (text !== last.current) {
          last.current = text;
          setData(v);
        }
        setError(null);
      } catch (e) {
        if (alive) setError((e as Error).message);
      }
      if (alive && everyMs > 0) timer = setTimeout(() => void round(), everyMs);
    };
    void round();
    return () => {
      alive = false;
      clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const refresh = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, refresh };
}

/** Runs an action, keeping its error message for an alert. */
export function useAction(): {
  busy: boolean;
  error: string | null;
  run(fn: () => Promise<void>): Promise<boolean>;
  clear(): void;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      return true;
    } catch (e) {
      setError((e as Error).message);
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, clear: () => setError(null) };
}

/** Parses JSON typed by a person, with a message that says where it went wrong. */
export function parseJsonObject(text: string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text.trim() === "" ? "{}" : text);
  } catch (e) {
    throw new Error(`${what} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error(`${what} must be a JSON object.`);
  return v as Record<string, unknown>;
}
