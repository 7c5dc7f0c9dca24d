/**
 * A software WebAuthn authenticator for tests (what Chromium's virtual authenticator does): a
 * P-256 key per credential, "none" attestation, a signature counter, and assertions signed over
 * authenticatorData ‖ SHA-256(clientDataJSON). Answers in the JSON form clerk-js sends.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import { isoCBOR } from "@simplewebauthn/server/helpers";

const b64u = (b: Uint8Array | Buffer) => Buffer.from(b).toString("base64url");
const sha256 = (b: Uint8Array | string) => createHash("sha256").update(b).digest();
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

export class SoftAuthenticator {
  #creds = new Map<string, { key: KeyObject; userHandle: string; counter: number; rpId: string }>();

  /** Answers `navigator.credentials.create({publicKey: options})` for the page at `origin`. */
  create(options: any, origin: string) {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = publicKey.export({ format: "jwk" });
    const credId = randomBytes(16);
    const rpId = options.rp.id as string;
    this.#creds.set(b64u(credId), { key: privateKey, userHandle: options.user.id, counter: 0, rpId });
    const cose = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x!, "base64url")],
        [-3, Buffer.from(jwk.y!, "base64url")],
      ]),
    );
    const authData = Buffer.concat([
      sha256(rpId),
      Buffer.from([0x45]),
      u32(0),
      Buffer.alloc(16),
      Buffer.from([0, credId.length]),
      credId,
      Buffer.from(cose),
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, unknown>([
        ["fmt", "none"],
        ["attStmt", new Map()],
        ["authData", authData],
      ]) as never,
    );
    const clientDataJSON = Buffer.from(
      JSON.stringify({ type: "webauthn.create", challenge: options.challenge, origin, crossOrigin: false }),
    );
    return {
      id: b64u(credId),
      rawId: b64u(credId),
      type: "public-key",
      authenticatorAttachment: "platform",
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64u(clientDataJSON),
        attestationObject: b64u(attestationObject),
        transports: ["internal"],
      },
    };
  }

  /** Answers `navigator.credentials.get({publicKey: options})` with the first credential for the RP. */
  get(options: any, origin: string) {
    const [id, cred] = [...this.#creds].find(([, c]) => c.rpId === options.rpId)!;
    cred.counter += 1;
    const authData = Buffer.concat([sha256(cred.rpId), Buffer.from([0x05]), u32(cred.counter)]);
    const clientDataJSON = Buffer.from(
      JSON.stringify({ type: "webauthn.get", challenge: options.challenge, origin, crossOrigin: false }),
    );
    const signature = sign("sha256", Buffer.concat([authData, sha256(clientDataJSON)]), cred.key);
    return {
      id,
      rawId: id,
      type: "public-key",
      authenticatorAttachment: "platform",
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64u(clientDataJSON),
        authenticatorData: b64u(authData),
        signature: b64u(signature),
        userHandle: cred.userHandle,
      },
    };
  }
}
