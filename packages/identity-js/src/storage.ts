/**
 * Where header-mode clients keep their client token between runs. Any object with
 * `getItem/setItem/removeItem` works, sync (`localStorage`) or async (React Native's
 * AsyncStorage, Expo SecureStore wrappers).
 */
export interface AuthStorage {
  getItem(key: string): string | null | undefined | Promise<string | null | undefined>;
  setItem(key: string, value: string): void | Promise<void>;
  removeItem(key: string): void | Promise<void>;
}

/** Keeps the token for the life of the process (the default in Node). */
export function memoryStorage(): AuthStorage {
  const items = new Map<string, string>();
  return {
    getItem: (k) => items.get(k) ?? null,
    setItem: (k, v) => void items.set(k, v),
    removeItem: (k) => void items.delete(k),
  };
}
