/**
 * `--files <url>` (or `$TANDEM_FILES`): where the backend keeps file bytes. `disk` (the default)
 * keeps them under the data folder; `s3://<bucket>[/<prefix>]?endpoint=<url>&region=<region>`
 * puts them in an S3-compatible bucket, which several nodes on one Postgres can share
 * (docs/scale-out.md#files). The keys come from the environment only, never a flag (flags show in
 * process lists): `TANDEM_S3_ACCESS_KEY_ID` / `TANDEM_S3_SECRET_ACCESS_KEY`, else AWS's names.
 */
import type { BackendOptions } from "@tandem/backend";
import { CliError } from "./io.js";

export type FileStorageOption = NonNullable<BackendOptions["fileStorage"]>;

export function fileStorageFrom(
  flag: string | undefined,
  env: Record<string, string | undefined> = process.env,
): FileStorageOption | undefined {
  const value = flag ?? (env.TANDEM_FILES || undefined);
  if (value === undefined || value === "disk") return value === "disk" ? { kind: "disk" } : undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(
      `--files must be "disk" or s3://<bucket>[/<prefix>]?endpoint=<url>&region=<region>, not ${value}`,
    );
  }
  if (url.protocol !== "s3:" || !url.hostname)
    throw new CliError(
      `--files must be "disk" or s3://<bucket>[/<prefix>]?endpoint=<url>&region=<region>, not ${value}`,
    );
  const endpoint =
    url.searchParams.get("endpoint") ?? `https://s3.${url.searchParams.get("region") ?? "us-east-1"}.amazonaws.com`;
  if (!/^https?:\/\//.test(endpoint)) throw new CliError(`--files: endpoint must be an http(s) URL, not ${endpoint}`);
  const accessKeyId = env.TANDEM_S3_ACCESS_KEY_ID || env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.TANDEM_S3_SECRET_ACCESS_KEY || env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey)
    throw new CliError(
      "--files s3://…: set TANDEM_S3_ACCESS_KEY_ID and TANDEM_S3_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) in the environment",
    );
  const prefix = decodeURIComponent(url.pathname.replace(/^\/+/, ""));
  return {
    kind: "s3",
    endpoint,
    bucket: url.hostname,
    region: url.searchParams.get("region") ?? "us-east-1",
    accessKeyId,
    secretAccessKey,
    ...(prefix ? { prefix: prefix.endsWith("/") ? prefix : `${prefix}/` } : {}),
  };
}
