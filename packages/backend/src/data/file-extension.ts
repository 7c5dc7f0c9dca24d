/**
 * The extension a snapshot export gives a stored file, from its content type, so an unzipped
 * export opens in the right program. Import ignores it (files are matched by storage id).
 */
const EXTENSIONS: Readonly<Record<string, string>> = {
  "image/png": ".png",
  "image/jpeg": ".jpg",
  "image/gif": ".gif",
  "image/webp": ".webp",
  "image/avif": ".avif",
  "image/svg+xml": ".svg",
  "text/plain": ".txt",
  "text/html": ".html",
  "text/css": ".css",
  "text/csv": ".csv",
  "text/markdown": ".md",
  "application/json": ".json",
  "application/pdf": ".pdf",
  "application/zip": ".zip",
  "audio/mpeg": ".mp3",
  "audio/wav": ".wav",
  "video/mp4": ".mp4",
  "video/webm": ".webm",
};

export function extensionOf(contentType: string | null): string {
  if (!contentType) return "";
  return EXTENSIONS[contentType.split(";")[0]!.trim().toLowerCase()] ?? "";
}
