// save() onto a full disk: the test mounts its own 512 KB tmpfs as the
// notebook's directory (and unmounts it after). A save that doesn't fit fails
// with an error saying the disk is full and what to do, and leaves no partial
// file; a replacement that doesn't fit leaves the old file whole; a cell gets
// the same error, and the session carries on.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SavedDataError, writeSavedData } from "../../runtime/host/saved-data.js";
import { createExecutor } from "../../runtime/session.js";
import { recordingContext } from "../runtime/fixtures/recording-context.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "probebook-full-"));
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=512k", "probebook-full", dir]);
});
afterAll(() => {
  if (dir) {
    execFileSync("umount", [dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});

const FULL = /the filesystem holding the notebook's directory is full \(ENOSPC\): free some space, or save fewer rows \(filter or aggregate the table first\)/;

describe("save() to a full filesystem", () => {
  it("refuses a new file that doesn't fit with a clear error, and leaves no partial file", async () => {
    const err = await writeSavedData(dir, "big.arrow", new Uint8Array(2 * 1024 * 1024).fill(7), { overwrite: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SavedDataError);
    expect((err as Error).message).toMatch(FULL);
    expect((err as Error).message).toMatch(/; nothing was saved$/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("keeps the old file whole when its replacement doesn't fit, and no temporary file is left", async () => {
    writeFileSync(join(dir, "kept.arrow"), "old contents");
    const err = await writeSavedData(dir, "kept.arrow", new Uint8Array(2 * 1024 * 1024).fill(7), { overwrite: true }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(FULL);
    expect((err as Error).message).toMatch(/; the file is as it was$/);
    expect(readdirSync(dir)).toEqual(["kept.arrow"]);
    expect(readFileSync(join(dir, "kept.arrow"), "utf8")).toBe("old contents");
    rmSync(join(dir, "kept.arrow"));
  });

  it("gives a cell's save() the same error as a SavedDataError it can catch; the next cell runs", async () => {
    const session = createExecutor({ warmUpAfterMs: false, dataDir: dir });
    try {
      const r = await session.execute(
        'const t = aq.table({ n: Array.from({ length: 200_000 }, (_, i) => i * 7919) }); let out; try { await save(t, "cell.arrow"); out = "saved" } catch (e) { out = [e.name, e.message] } out',
        recordingContext(1),
      );
      expect(r.status, JSON.stringify(r)).toBe("ok");
      const text = r.status === "ok" ? (r.result?.data["text/plain"] as string) : "";
      expect(text, JSON.stringify(r)).toContain("SavedDataError");
      expect(text.replace(/'\s*\+\s*'|\n\s*/g, "")).toMatch(/full \(ENOSPC\)/);
      expect(readdirSync(dir)).toEqual([]);
      const next = await session.execute("1 + 1", recordingContext(2));
      expect(next).toMatchObject({ status: "ok", result: { data: { "text/plain": "2" } } });
    } finally {
      await session.shutdown();
    }
  }, 60_000);
});
