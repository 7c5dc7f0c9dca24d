/**
 * `tandem backup --data DIR --out FILE` and `tandem restore --from FILE --data DIR`
 * (docs/operations.md#backup-and-restore). Backup runs beside a serving `tandem serve`.
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import { BackupError, backupDataDir, restoreDataDir } from "@tandem/backend";
import { CliError, type Io } from "../io.js";

const asCliError = (e: unknown): never => {
  if (e instanceof BackupError) throw new CliError(e.message);
  throw e;
};

export function registerBackup(program: Command, io: Io, setCode: (code: number) => void): void {
  program
    .command("backup")
    .description(
      "write a consistent snapshot of a data folder (databases, files, keys) to a file, while the server keeps serving",
    )
    .requiredOption("--out <file>", "the backup file to write (must not exist)")
    .option("--data <dir>", "the data folder given to tandem serve", ".tandem")
    .action(async (flags: { data: string; out: string }) => {
      const { manifest } = await backupDataDir(resolve(flags.data), resolve(flags.out)).catch(asCliError);
      const bytes = manifest.entries.reduce((n, e) => n + e.bytes, 0);
      io.out(
        `Backed up ${manifest.entries.length} files (${bytes} bytes) from ${flags.data} to ${flags.out} (format ${manifest.version}).`,
      );
      setCode(0);
    });
  program
    .command("restore")
    .description("restore a tandem backup file into a new (or empty) data folder; the server must not be running on it")
    .requiredOption("--from <file>", "the backup file")
    .requiredOption("--data <dir>", "the data folder to create")
    .action(async (flags: { from: string; data: string }) => {
      const manifest = await restoreDataDir(resolve(flags.from), resolve(flags.data)).catch(asCliError);
      io.out(
        `Restored ${manifest.entries.length} files from ${flags.from} (made ${manifest.createdAt} by ${manifest.tandemVersion}) into ${flags.data}.`,
      );
      io.out(`Start it with: tandem serve --data ${flags.data}`);
      setCode(0);
    });
}
