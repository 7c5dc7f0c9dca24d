/**
 * The browser's WebAuthn calls in the JSON form the Frontend API speaks: the server's options
 * (`verification.nonce`, JSON with base64url buffers) go through the standard
 * `PublicKeyCredential.parse*OptionsFromJSON`, and the credential back through `toJSON()`.
 */
import { AuthClientError } from "../errors.js";

type WebAuthnGlobal = {
  PublicKeyCredential?: {
    parseCreationOptionsFromJSON?: (o: unknown) => unknown;
    parseRequestOptionsFromJSON?: (o: unknown) => unknown;
  };
  navigator?: { credentials?: { create(o: unknown): Promise<unknown>; get(o: unknown): Promise<unknown> } };
};

function webauthn() {
  const g = globalThis as WebAuthnGlobal;
  const pkc = g.PublicKeyCredential;
  const credentials = g.navigator?.credentials;
  if (!pkc?.parseCreationOptionsFromJSON || !pkc.parseRequestOptionsFromJSON || !credentials)
    throw new AuthClientError("passkeys_unsupported", "This browser cannot use passkeys.");
  return { pkc: pkc as Required<NonNullable<WebAuthnGlobal["PublicKeyCredential"]>>, credentials };
}

const serialize = (credential: unknown): string => {
  if (!credential || typeof (credential as { toJSON?: unknown }).toJSON !== "function")
    throw new AuthClientError("passkeys_unsupported", "The browser returned no credential.");
  return JSON.stringify((credential as { toJSON(): unknown }).toJSON());
};

/** `navigator.credentials.create` for the server's creation options; the credential as JSON. */
export async function createCredential(optionsJson: string): Promise<string> {
  const { pkc, credentials } = webauthn();
  const publicKey = pkc.parseCreationOptionsFromJSON(JSON.parse(optionsJson));
  return serialize(await credentials.create({ publicKey }));
}

/** `navigator.credentials.get` for the server's request options; the assertion as JSON. */
export async function getCredential(optionsJson: string): Promise<string> {
  const { pkc, credentials } = webauthn();
  const publicKey = pkc.parseRequestOptionsFromJSON(JSON.parse(optionsJson));
  return serialize(await credentials.get({ publicKey }));
}
