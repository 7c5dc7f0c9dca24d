/** Where to go after a sign-in/up: the component's force URL, the provider's, then the fallbacks. */
export function pickRedirect(...candidates: (string | undefined)[]): string | undefined {
  return candidates.find((c) => typeof c === "string" && c.length > 0);
}
