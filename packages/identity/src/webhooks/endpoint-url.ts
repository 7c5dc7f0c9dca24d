/** Which URLs may receive webhooks: http(s) only; loopback hosts only on development instances. */
import { ApiError } from "../errors.js";
import type { InstanceKind } from "../store/types.js";

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

export function checkEndpointUrl(raw: string, kind: InstanceKind): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ApiError("form_param_format_invalid", { param: "url", detail: "Expected an absolute http(s) URL." });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new ApiError("form_param_format_invalid", {
      param: "url",
      detail: "Only http and https URLs receive webhooks.",
    });
  if (url.username || url.password)
    throw new ApiError("form_param_format_invalid", { param: "url", detail: "URLs may not carry credentials." });
  if (kind === "production" && LOOPBACK.test(url.hostname))
    throw new ApiError("form_param_value_invalid", {
      param: "url",
      detail: "Loopback endpoints are allowed on development instances only.",
    });
  return url.toString();
}
