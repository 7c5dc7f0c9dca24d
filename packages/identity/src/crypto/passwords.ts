/**
 * Password hashing with argon2id at OWASP's recommended parameters (19 MiB, t=2, p=1), run on
 * the libuv pool by @node-rs/argon2. Passwords are NFKC-normalised first (NIST 800-63B §5.1.1.2).
 */
import { hash, verify, type Algorithm } from "@node-rs/argon2";

const OPTIONS = { algorithm: 2 as Algorithm /* Argon2id */, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string) => hash(password.normalize("NFKC"), OPTIONS);

export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  try {
    return await verify(phc, password.normalize("NFKC"));
  } catch {
    return false;
  }
}

/**
 * Verifying against this hash when no account matches costs the same as a real check, so the
 * response time does not tell whether an identifier exists.
 */
let dummy: Promise<string> | null = null;
export async function burnPasswordCheck(password: string): Promise<void> {
  dummy ??= hash("tandem-dummy-password-for-timing", OPTIONS);
  await verifyPassword(await dummy, password);
}
