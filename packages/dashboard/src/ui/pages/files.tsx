/** Files: the `_storage` table's metadata (id, size, content type, checksum), live. */
import type { Api } from "../api.js";
import { usePoll } from "../hooks.js";
import { Alert, Page } from "../parts.js";
import { SimpleTable, when } from "./simple-table.js";

interface FileDoc {
  _id: string;
  _creationTime: number;
  size?: number | bigint;
  contentType?: string | null;
  sha256?: string;
}

export function FilesPage({ api }: { api: Api }) {
  const files = usePoll(
    async () =>
      (
        (await api.run("_system/frontend/fileStorageV2:fileMetadata", {
          paginationOpts: { cursor: null, numItems: 100 },
        })) as { page: FileDoc[] }
      ).page,
    [api],
    2000,
  );
  return (
    <Page title="Files">
      <Alert message={files.error} />
      <SimpleTable
        label="Files"
        rows={files.data}
        rowKey={(f) => f._id}
        empty="No stored files."
        columns={[
          { header: "Storage id", cell: (f) => f._id, mono: true },
          { header: "Size (bytes)", cell: (f) => String(f.size ?? "") },
          { header: "Content type", cell: (f) => f.contentType ?? "" },
          { header: "SHA-256", cell: (f) => f.sha256 ?? "", mono: true },
          { header: "Uploaded", cell: (f) => when(f._creationTime) },
        ]}
      />
    </Page>
  );
}
