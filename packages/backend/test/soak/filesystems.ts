/**
 * Small filesystems the machine-fault tests fill up or turn read-only: a size-limited tmpfs, and
 * an ext4 image on a loop device mounted `errors=remount-ro` (its `trigger_fs_error` knob turns it
 * read-only under open files, as a failing disk does). Needs root; `mountCapability()` says why
 * not. Under CI a missing capability fails the test instead of skipping it.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

export interface Mounted {
  readonly dir: string;
  /** Unmounts and removes what the mount needed; safe to call twice. */
  cleanup(): Promise<void>;
}

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"] }).toString();

export const inCi = () => process.env.CI === "true" || process.env.CI === "1";

/** `null` when tmpfs and loop mounts work here; otherwise the reason. */
export async function mountCapability(): Promise<string | null> {
  if (process.platform !== "linux") return "mounting test filesystems needs Linux";
  if (process.getuid?.() !== 0) return "mounting test filesystems needs root";
  try {
    const m = await mountTmpfs(1);
    await m.cleanup();
    run("losetup", ["--version"]);
    run("mkfs.ext4", ["-V"]);
  } catch (e) {
    return `cannot mount test filesystems: ${String(e).split("\n")[0]}`;
  }
  return null;
}

export async function mountTmpfs(sizeMb: number): Promise<Mounted> {
  const dir = await mkdtemp(join(tmpdir(), "tandem-tmpfs-"));
  run("mount", ["-t", "tmpfs", "-o", `size=${sizeMb}m`, "tmpfs", dir]);
  let done = false;
  return {
    dir,
    async cleanup() {
      if (done) return;
      done = true;
      run("umount", ["-l", dir]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Ext4 extends Mounted {
  /** Makes the filesystem read-only at once, open files included (ext4's emergency remount). */
  failReadOnly(): Promise<void>;
  /** Unmounts, repairs with e2fsck and mounts read-write again: what an operator does. */
  repair(): Promise<void>;
}

export async function mountExt4(sizeMb: number): Promise<Ext4> {
  const base = await mkdtemp(join(tmpdir(), "tandem-ext4-"));
  const image = join(base, "fs.img");
  const dir = join(base, "mnt");
  run("mkdir", [dir]);
  run("truncate", ["-s", `${sizeMb}M`, image]);
  run("mkfs.ext4", ["-q", "-F", image]);
  const mount = () => run("mount", ["-o", "loop,errors=remount-ro", image, dir]);
  mount();
  const device = () => basename(run("findmnt", ["-no", "SOURCE", dir]).trim());
  let done = false;
  return {
    dir,
    async failReadOnly() {
      const knob = `/sys/fs/ext4/${device()}/trigger_fs_error`;
      if (!existsSync(knob))
        throw new Error(`${knob} is missing: this kernel cannot fail an ext4 filesystem on demand`);
      await writeFile(knob, "tandem machine-fault test\n");
    },
    async repair() {
      run("umount", [dir]);
      try {
        run("e2fsck", ["-fy", image]);
      } catch (e) {
        // e2fsck exits 1 when it fixed something, which is the point here.
        if ((e as { status?: number }).status !== 1) throw e;
      }
      mount();
    },
    async cleanup() {
      if (done) return;
      done = true;
      try {
        run("umount", ["-l", dir]);
      } catch {
        // already unmounted (a failed repair)
      }
      await rm(base, { recursive: true, force: true });
    },
  };
}
