// The kernel's side of save() and load(): the only file access cells have,
// and only inside the notebook's directory (the kernel's working directory
// when Jupyter starts it). Names are relative, must end in .arrow (so a save
// can never replace the notebook itself), and may not lead outside the
// directory, neither by ".." nor through a symbolic link. Existing files are
// replaced only when asked.

import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { lstat, mkdir, open, readFile, realpath, rename, rm, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";

/** Saved data files must end in this. */
export const SAVED_DATA_EXTENSION = ".arrow";
/** Largest file load() reads (the table must fit in the sandbox's memory). */
export const MAX_LOAD_BYTES = 256 * 1024 * 1024;

/** A refused or failed save/load; the message is for the notebook's user. */
export class SavedDataError extends Error {
  override name = "SavedDataError";
}

/**
 * The absolute path for `name` inside `dir`, or an error saying why the name
 * is refused: not a string, absolute, not `.arrow`, or leading outside `dir`.
 * Symbolic links are checked when the file is opened ({@link writeSavedData},
 * {@link readSavedData}).
 *
 * @example
 * ```ts
 * resolveSavedDataPath("/home/me/notebooks", "data/opens.arrow", "save")
 * // "/home/me/notebooks/data/opens.arrow"
 * resolveSavedDataPath("/home/me/notebooks", "../opens.arrow", "save") // throws SavedDataError
 * ```
 */
export function resolveSavedDataPath(dir: string, name: unknown, verb: "save" | "load"): string {
  const at = verb === "save" ? `save(table, ${JSON.stringify(name)})` : `load(${JSON.stringify(name)})`;
  if (typeof name !== "string" || name.trim() === "" || name.includes("\0")) {
    throw new SavedDataError(`${at}: give a file name such as "opens.arrow"`);
  }
  if (isAbsolute(name) || /^~/.test(name)) {
    throw new SavedDataError(`${at}: absolute paths are refused; give a name relative to the notebook's directory (${dir}), such as "opens.arrow"`);
  }
  if (!name.endsWith(SAVED_DATA_EXTENSION) || name.endsWith(`/${SAVED_DATA_EXTENSION}`) || name === SAVED_DATA_EXTENSION) {
    throw new SavedDataError(`${at}: saved data files must be named "<something>${SAVED_DATA_EXTENSION}" (Arrow IPC), e.g. "opens.arrow"`);
  }
  const path = resolve(dir, name);
  if (!isInside(dir, path)) {
    throw new SavedDataError(`${at}: the name leads outside the notebook's directory (${dir}); the kernel reads and writes only inside it: use a name such as "opens.arrow" or "data/opens.arrow"`);
  }
  return path;
}

/**
 * Writes `bytes` to `name` inside `dir`, making missing subdirectories. An
 * existing file is an error unless `overwrite`; a replacement is written aside
 * and renamed into place, so a failed save leaves the old file whole.
 *
 * @example
 * ```ts
 * await writeSavedData(process.cwd(), "opens.arrow", bytes, { overwrite: false })
 * // { path: "/home/me/notebooks/opens.arrow", bytes: 5120 }
 * ```
 */
export async function writeSavedData(dir: string, name: unknown, bytes: Uint8Array, options: { overwrite: boolean }): Promise<{ path: string; bytes: number }> {
  const path = resolveSavedDataPath(dir, name, "save");
  const at = `save(table, ${JSON.stringify(name)})`;
  const base = await realDirectory(dir, at);
  // Every existing directory on the way must really be inside (a link to elsewhere is refused) before any is made.
  await checkExistingAncestor(base, dirname(path), at);
  await mkdir(dirname(path), { recursive: true });
  await checkExistingAncestor(base, dirname(path), at);
  const existing = await lstat(path).catch(() => undefined);
  if (existing?.isSymbolicLink()) throw new SavedDataError(`${at}: ${path} is a symbolic link; the kernel doesn't write through links: choose another name`);
  if (existing && !existing.isFile()) throw new SavedDataError(`${at}: ${path} exists and is not a file`);
  if (existing && !options.overwrite) {
    throw new SavedDataError(`${at}: ${path} already exists; pass { overwrite: true } to replace it, or choose another name`);
  }
  if (!options.overwrite) {
    // "wx": created here or refused, even if another save raced us to it.
    const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "EEXIST") throw new SavedDataError(`${at}: ${path} already exists; pass { overwrite: true } to replace it`);
      throw new SavedDataError(`${at}: creating ${path} failed: ${error.message}`);
    });
    try {
      await handle.writeFile(bytes);
    } catch (error) {
      // Created above with O_EXCL, so the file is this save's own: a failed write leaves nothing.
      await handle.close().catch(() => undefined);
      await rm(path, { force: true });
      throw new SavedDataError(`${at}: writing ${path} failed: ${writeFailure(error)}; nothing was saved`);
    }
    await handle.close();
    return { path, bytes: bytes.length };
  }
  const temporary = join(dirname(path), `.${randomBytes(6).toString("hex")}.arrow.tmp`);
  try {
    const handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    try {
      await handle.writeFile(bytes);
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new SavedDataError(`${at}: writing ${path} failed: ${writeFailure(error)}; the file is as it was`);
  }
  return { path, bytes: bytes.length };
}

/** Why a write failed, with what to do when the disk is full. */
function writeFailure(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e?.code === "ENOSPC" || e?.code === "EDQUOT") {
    return `the filesystem holding the notebook's directory is full (${e.code}): free some space, or save fewer rows (filter or aggregate the table first)`;
  }
  return e?.message ?? String(error);
}

/**
 * Reads the file `name` inside `dir`. The file (after following any links)
 * must be a regular file inside `dir`.
 *
 * @example
 * ```ts
 * const bytes = await readSavedData(process.cwd(), "opens.arrow");
 * ```
 */
export async function readSavedData(dir: string, name: unknown): Promise<Uint8Array> {
  const path = resolveSavedDataPath(dir, name, "load");
  const at = `load(${JSON.stringify(name)})`;
  const base = await realDirectory(dir, at);
  let real: string;
  try {
    real = await realpath(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new SavedDataError(`${at}: there is no file ${path}; save one first with save(table, ${JSON.stringify(name)})`);
    }
    throw new SavedDataError(`${at}: reading ${path} failed: ${(error as Error).message}`);
  }
  if (!isInside(base, real)) throw new SavedDataError(`${at}: ${path} links to ${real}, outside the notebook's directory; the kernel reads only inside it`);
  const info = await stat(real);
  if (!info.isFile()) throw new SavedDataError(`${at}: ${path} is not a file`);
  if (info.size > MAX_LOAD_BYTES) {
    throw new SavedDataError(`${at}: ${path} is ${info.size} bytes, over the ${MAX_LOAD_BYTES} the sandbox can hold; load it outside the notebook, or save smaller tables`);
  }
  return new Uint8Array(await readFile(real));
}

function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== "" && !rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel);
}

async function realDirectory(dir: string, at: string): Promise<string> {
  try {
    return await realpath(dir);
  } catch (error) {
    throw new SavedDataError(`${at}: the notebook's directory ${dir} can't be used: ${(error as Error).message}`);
  }
}

/** The deepest existing directory on the way to `target` must resolve inside `base`. */
async function checkExistingAncestor(base: string, target: string, at: string): Promise<void> {
  let dir = target;
  for (;;) {
    const real = await realpath(dir).catch(() => undefined);
    if (real !== undefined) {
      if (real !== base && !isInside(base, real)) {
        throw new SavedDataError(`${at}: ${dir} leads to ${real}, outside the notebook's directory (through a symbolic link); the kernel writes only inside it`);
      }
      return;
    }
    const parent = dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}
