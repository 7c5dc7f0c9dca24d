/**
 * The instance's RS256 signing keys. One key is active (newest, not retired); rotation adds a key
 * and retires the previous one. A retired key stays in the JWKS for `retentionSeconds()` — at
 * least the longest token lifetime plus skew — so tokens it signed keep verifying, then is deleted.
 */
import { exportJWK, exportPKCS8, generateKeyPair, importPKCS8, type CryptoKey } from "jose";
import { newId, type InstanceId, type KeyId } from "../ids.js";
import type { IdentityStore, SigningKeyRecord } from "../store/types.js";

export interface PublicJwk {
  kid: string;
  kty: string;
  alg: "RS256";
  use: "sig";
  n: string;
  e: string;
}

/** A signing key as the Backend API lists it (no private part). */
export interface SigningKeyState {
  kid: KeyId;
  status: "active" | "retired";
  createdAt: number;
  retiredAt: number | null;
  /** When a retired key leaves the JWKS (its last token has expired by then); null while active. */
  removedAt: number | null;
}

export interface ActiveKey {
  kid: KeyId;
  key: CryptoKey;
}

export class KeyRing {
  #keys: SigningKeyRecord[] = [];
  #imported = new Map<string, Promise<CryptoKey>>();

  constructor(
    private readonly store: IdentityStore,
    private readonly instanceId: InstanceId,
    /** Seconds a retired key must stay published. */
    private readonly retentionSeconds: () => Promise<number>,
  ) {}

  async load(now = Date.now()): Promise<void> {
    this.#keys = await this.store.listSigningKeys(this.instanceId);
    if (!this.#keys.some((k) => k.retiredAt === null)) await this.rotate(now);
  }

  static async generate(instanceId: InstanceId, now: number): Promise<SigningKeyRecord> {
    const { privateKey, publicKey } = await generateKeyPair("RS256", { modulusLength: 2048, extractable: true });
    const kid = newId.key();
    const jwk = await exportJWK(publicKey);
    return {
      kid,
      instanceId,
      privatePem: await exportPKCS8(privateKey),
      publicJwk: { kid, kty: jwk.kty, alg: "RS256", use: "sig", n: jwk.n, e: jwk.e },
      createdAt: now,
      retiredAt: null,
    };
  }

  /** Adds a fresh active key and retires the others; prunes keys past retention. */
  async rotate(now = Date.now()): Promise<KeyId> {
    const fresh = await KeyRing.generate(this.instanceId, now);
    await this.store.insertSigningKey(fresh);
    for (const k of this.#keys)
      if (k.retiredAt === null && k.kid !== fresh.kid) await this.store.retireSigningKey(k.kid, now);
    await this.store.deleteSigningKeysRetiredBefore(this.instanceId, now - (await this.retentionSeconds()) * 1000);
    this.#keys = await this.store.listSigningKeys(this.instanceId);
    return fresh.kid;
  }

  /** Age of the active key, for interval-based rotation. */
  activeAgeMs(now = Date.now()): number {
    const active = this.#keys.find((k) => k.retiredAt === null);
    return active ? now - active.createdAt : Infinity;
  }

  async active(): Promise<ActiveKey> {
    const rec = this.#keys.find((k) => k.retiredAt === null);
    if (!rec) throw new Error("no active signing key");
    let key = this.#imported.get(rec.kid);
    if (!key) {
      key = importPKCS8(rec.privatePem, "RS256");
      this.#imported.set(rec.kid, key);
    }
    return { kid: rec.kid, key: await key };
  }

  /** Every published key, the active one first, then retired ones newest first. */
  async list(now = Date.now()): Promise<SigningKeyState[]> {
    const retention = (await this.retentionSeconds()) * 1000;
    await this.jwks(now);
    return [...this.#keys]
      .sort((a, b) => (a.retiredAt === null ? -1 : b.retiredAt === null ? 1 : b.retiredAt - a.retiredAt))
      .map((k) => ({
        kid: k.kid,
        status: k.retiredAt === null ? "active" : "retired",
        createdAt: k.createdAt,
        retiredAt: k.retiredAt,
        removedAt: k.retiredAt === null ? null : k.retiredAt + retention,
      }));
  }

  /** Public keys to publish: the active key and retired keys still inside retention. */
  async jwks(now = Date.now()): Promise<{ keys: PublicJwk[] }> {
    const keep = now - (await this.retentionSeconds()) * 1000;
    // Read from the store each time: a key another node sharing it just added (two nodes starting
    // at once each add one) must be published by every node before tokens it signed reach a verifier.
    this.#keys = await this.store.listSigningKeys(this.instanceId);
    if (this.#keys.some((k) => k.retiredAt !== null && k.retiredAt < keep)) {
      // Past retention: delete for good, so a later, longer retention cannot republish it.
      await this.store.deleteSigningKeysRetiredBefore(this.instanceId, keep);
      this.#keys = await this.store.listSigningKeys(this.instanceId);
    }
    return {
      keys: this.#keys
        .filter((k) => k.retiredAt === null || k.retiredAt >= keep)
        .map((k) => k.publicJwk as unknown as PublicJwk),
    };
  }
}
