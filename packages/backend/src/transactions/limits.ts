/** Convex's transaction limits (docs/semantics.md#limits) and their error texts. */
import { TandemError } from "@tandem/shared";

export const LIMITS = {
  documentsRead: 32_000,
  bytesRead: 16 * 1024 * 1024,
  readIntervals: 4096,
  documentsWritten: 16_000,
  bytesWritten: 16 * 1024 * 1024,
  documentBytes: 1024 * 1024,
  argumentBytes: 16 * 1024 * 1024,
  resultBytes: 16 * 1024 * 1024,
} as const;

export class Metrics {
  documentsRead = 0;
  bytesRead = 0;
  readIntervals = 0;
  documentsWritten = 0;
  bytesWritten = 0;

  noteRead(bytes: number): void {
    this.documentsRead += 1;
    this.bytesRead += bytes;
    if (this.documentsRead > LIMITS.documentsRead)
      throw limitError(`Too many documents read in a single function execution (limit: ${LIMITS.documentsRead}).`);
    if (this.bytesRead > LIMITS.bytesRead)
      throw limitError(`Too many bytes read in a single function execution (limit: ${LIMITS.bytesRead} bytes).`);
  }

  noteInterval(): void {
    this.readIntervals += 1;
    if (this.readIntervals > LIMITS.readIntervals)
      throw limitError(`Too many reads in a single function execution (limit: ${LIMITS.readIntervals}).`);
  }

  noteWrite(bytes: number): void {
    this.documentsWritten += 1;
    this.bytesWritten += bytes;
    if (this.documentsWritten > LIMITS.documentsWritten)
      throw limitError(`Too many documents written in a single function execution (limit: ${LIMITS.documentsWritten}).`);
    if (this.bytesWritten > LIMITS.bytesWritten)
      throw limitError(`Too many bytes written in a single function execution (limit: ${LIMITS.bytesWritten} bytes).`);
  }

  toJSON(): Record<string, { used: number; remaining: number }> {
    const m = (used: number, max: number) => ({ used, remaining: Math.max(0, max - used) });
    return {
      bytesRead: m(this.bytesRead, LIMITS.bytesRead),
      bytesWritten: m(this.bytesWritten, LIMITS.bytesWritten),
      databaseQueries: m(this.readIntervals, LIMITS.readIntervals),
      documentsRead: m(this.documentsRead, LIMITS.documentsRead),
      documentsWritten: m(this.documentsWritten, LIMITS.documentsWritten),
      functionsScheduled: m(0, 1000),
      scheduledFunctionArgsBytes: m(0, 16 * 1024 * 1024),
    };
  }
}

function limitError(message: string): TandemError {
  return new TandemError("BadRequest", "TooManyReadsOrWrites", message);
}
