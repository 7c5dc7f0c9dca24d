/**
 * Whether a host "looks like a URL" for a provider domain given without a scheme (docs/auth.md#auth-config):
 * `localhost`, or a last label that is a top-level domain. Convex checks the IANA list; we accept
 * every two-letter country code and the generic TLDs identity providers actually use.
 */
const GENERIC = new Set(
  (
    "com net org edu gov mil int info biz name pro app dev io ai co me tv cloud site online tech xyz " +
    "page web host website space store shop blog live life world today network systems solutions services " +
    "digital studio design agency company group team works zone one link click email id auth security"
  ).split(" "),
);

export function endsWithTld(host: string): boolean {
  if (host === "localhost") return true;
  const dot = host.lastIndexOf(".");
  if (dot <= 0) return false;
  const tld = host.slice(dot + 1).toLowerCase();
  return /^[a-z]{2}$/.test(tld) || GENERIC.has(tld);
}
