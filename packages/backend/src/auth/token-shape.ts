/**
 * What can be read from a token before its signature is checked: a size cap, the JOSE header
 * and the claims that pick the provider (`iss`, `aud`). Nothing here is trusted.
 */
import { decodeJwt, decodeProtectedHeader, type JWTPayload, type ProtectedHeaderParameters } from "jose";
import { authError } from "./errors.js";

export interface UnverifiedToken {
  readonly header: ProtectedHeaderParameters;
  readonly claims: JWTPayload;
  readonly issuer: string;
  readonly audiences: readonly string[];
}

export function readUnverified(token: string, maxBytes: number): UnverifiedToken {
  if (token.length > maxBytes)
    throw authError.invalidHeader(`Token is too large (${token.length} bytes > maximum ${maxBytes} bytes)`);
  let header: ProtectedHeaderParameters;
  let claims: JWTPayload;
  try {
    if (token.split(".").length !== 3) throw new Error("not a compact JWS");
    header = decodeProtectedHeader(token);
    claims = decodeJwt(token);
  } catch {
    throw authError.invalidHeader("Could not parse as id token");
  }
  if (typeof claims.iss !== "string" || claims.iss === "")
    throw authError.invalidHeader(
      "Missing issuer claim ('iss') in the JWT. Check that your auth provider issues tokens with an 'iss' claim.",
    );
  const aud = claims.aud;
  const audiences =
    typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud.filter((a) => typeof a === "string") : [];
  return { header, claims, issuer: claims.iss, audiences };
}
