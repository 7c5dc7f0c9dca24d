/**
 * AWS Signature Version 4 for S3 requests (header form), through the `aws4` package. The caller
 * gives the payload's SHA-256 (uploads stream, so the signer never sees the body) and the time.
 */
import aws4 from "aws4";

export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

export interface SigningKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
}

/**
 * The headers to add to a request: `x-amz-date`, `x-amz-content-sha256` and `authorization`.
 * `headers` are the request's other headers (aws4 signs them, except `range`, which S3 does not
 * require to be signed).
 */
export function signRequest(input: {
  readonly method: string;
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  readonly payloadHash: string;
  readonly key: SigningKey;
  readonly now: Date;
}): Record<string, string> {
  const amzDate = input.now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const signed = aws4.sign(
    {
      host: input.url.host,
      path: input.url.pathname + input.url.search,
      method: input.method,
      service: "s3",
      region: input.key.region,
      headers: { ...input.headers, "X-Amz-Date": amzDate, "X-Amz-Content-Sha256": input.payloadHash },
    },
    { accessKeyId: input.key.accessKeyId, secretAccessKey: input.key.secretAccessKey },
  );
  const authorization = signed.headers?.Authorization;
  if (typeof authorization !== "string") throw new Error("aws4 produced no Authorization header");
  return { "x-amz-date": amzDate, "x-amz-content-sha256": input.payloadHash, authorization };
}
