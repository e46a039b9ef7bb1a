// The one door from save()/load() to the kernel's file access. Inside the
// notebook sandbox the prelude installs one that asks the host, which writes
// and reads only inside the notebook's directory; the sandbox itself has no
// file access. Tests install their own.

/** Where a save went. */
export interface SavedFileInfo {
  /** Absolute path of the file on the kernel's machine. */
  path: string;
  /** Bytes written. */
  bytes: number;
}

/** Reads and writes saved data files, by name relative to the notebook's directory. */
export interface SavedDataHost {
  write(name: string, bytes: Uint8Array, overwrite: boolean): Promise<SavedFileInfo>;
  read(name: string): Promise<Uint8Array>;
}

let installed: SavedDataHost | undefined;

/**
 * Installs the host that save() and load() use (or removes it with `undefined`).
 * The notebook sandbox does this once at start-up.
 */
export function setSavedDataHost(host: SavedDataHost | undefined): void {
  installed = host;
}

/**
 * The installed host.
 *
 * @throws Error outside a probebook kernel, where nothing can read or write files.
 */
export function savedDataHost(): SavedDataHost {
  if (!installed) {
    throw new Error("save() and load() work only inside a probebook kernel (which writes next to the notebook); outside it, use tableToArrowBytes() and tableFromArrowBytes()");
  }
  return installed;
}
