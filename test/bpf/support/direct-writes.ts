// Where agg-steps.c's `d PATH N` step lands on the disk, so that block I/O tests
// can pick the workload's own requests out of everything else on the device
// (the file system's metadata, its flushes, other processes): the disk as the
// block tracepoints name it, and the sector each of the N 4 KiB writes goes to.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, join } from "node:path";

export interface BlockTarget {
  /** The disk's dev_t as block_rq_issue/block_rq_complete give it: MAJOR << 20 | MINOR. */
  dev: number;
  /** The disk's name in /sys/class/block (vda, nvme0n1, ...). */
  disk: string;
  /** Where the file system's block device starts on the disk, in 512-byte sectors (0 for a whole disk). */
  startSector: number;
}

/**
 * The disk under `dir` and where its file system starts on it. Requests are
 * traced on the disk (a partition's are remapped to the whole disk's sectors),
 * so a file system on a partition is named by its parent disk plus the
 * partition's start. Throws for a file system with no disk of its own (tmpfs,
 * overlayfs) or on a stacked device (device-mapper, md), whose requests reach
 * the tracepoints on other disks at other sectors.
 */
export function blockTargetOf(dir: string): BlockTarget {
  const st = statSync(dir);
  // st_dev in glibc's encoding: minor's low 8 bits, major's 12, then minor's high 12
  const major = Math.floor(st.dev / 256) & 0xfff, minor = (st.dev & 0xff) | (Math.floor(st.dev / 4096) & 0xfff00);
  const sys = `/sys/dev/block/${major}:${minor}`;
  if (major === 0 || !existsSync(sys))
    throw new Error(`${dir} is on device ${major}:${minor}, which is not a block device: run the block I/O tests from a directory on a disk (ext4, xfs, ...)`);
  let device = realpathSync(sys);
  let startSector = 0;
  if (existsSync(join(device, "partition"))) {
    startSector = Number(readFileSync(join(device, "start"), "utf8").trim());
    device = dirname(device);
  }
  const disk = device.split("/").pop()!;
  if (readdirSync(join(device, "slaves")).length > 0)
    throw new Error(`${dir} is on ${disk}, a device stacked on others (${readdirSync(join(device, "slaves")).join(", ")}): its requests are traced on those at other sectors; run the block I/O tests from a directory on a plain disk or partition`);
  const [diskMajor, diskMinor] = readFileSync(join(device, "dev"), "utf8").trim().split(":").map(Number) as [number, number];
  return { dev: diskMajor * 2 ** 20 + diskMinor, disk, startSector };
}

// FIEMAP_EXTENT_UNKNOWN | DELALLOC | ENCODED | DATA_ENCRYPTED | NOT_ALIGNED | DATA_INLINE | DATA_TAIL | UNWRITTEN
const FIEMAP_NOT_PLAIN = 0x2 | 0x4 | 0x8 | 0x80 | 0x100 | 0x200 | 0x400 | 0x800;

/**
 * The disk sector of each of the `n` 4 KiB writes of agg-steps.c's `d PATH N`
 * step (at file offsets 0, 8 KiB, 16 KiB, ...), in order: from the file's
 * extents (FIEMAP, printed by `agg-steps extents PATH`) plus the file system's
 * start on the disk.
 */
export function directWriteSectors(stepsBin: string, path: string, n: number, target: BlockTarget): number[] {
  const extents = execFileSync(stepsBin, ["extents", path], { encoding: "utf8" }).trim().split("\n")
    .filter((line) => line).map((line) => line.split(" ").map(Number) as [number, number, number, number]);
  return Array.from({ length: n }, (_, i) => {
    const offset = i * 8192;
    const e = extents.find(([logical, , length]) => logical <= offset && offset + 4096 <= logical + length);
    if (!e) throw new Error(`${path}: no extent holds bytes ${offset}..${offset + 4095} (extents: ${JSON.stringify(extents)})`);
    const [logical, physical, , flags] = e;
    // a written block has a place of its own on the disk, known and block-aligned, and holds data
    if (flags & FIEMAP_NOT_PLAIN)
      throw new Error(`${path}: the extent holding bytes ${offset}..${offset + 4095} has fiemap flags 0x${flags.toString(16)}: not plain written data at a known, aligned place on the disk`);
    return target.startSector + (physical + offset - logical) / 512;
  });
}
