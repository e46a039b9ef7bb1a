// Where OpenSSL's SSL_read/SSL_write live for tls(): the libssl each target
// process maps (/proc/PID/maps, opened through /proc/PID/root when the process
// is in another mount namespace), an executable that links OpenSSL statically
// and keeps the symbols, the system's libssl as the dynamic loader would find
// it (/etc/ld.so.cache), or a file named outright. Also what a process uses
// instead when it has none (Go's crypto/tls, GnuTLS, NSS), for the message.
import { readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { basename } from "node:path";
import { findFunction, type ElfSymbols } from "./elf-symbols.js";
import { readMaps } from "./proc-maps.js";
import { elfSymbolsOf } from "./symbolize.js";

/** The functions tls() probes, in the order of enum tls_function (bpf/tls.h). */
export const TLS_FUNCTIONS = ["SSL_read", "SSL_write", "SSL_read_ex", "SSL_write_ex"] as const;
export type TlsFunction = (typeof TLS_FUNCTIONS)[number];

/** A file that defines some of TLS_FUNCTIONS. */
export interface TlsLibrary {
  /** The path as its processes name it (or as given). */
  path: string;
  /** Where this host opens it: `path`, or /proc/PID/root + path for another mount namespace. */
  hostPath: string;
  /** Which of TLS_FUNCTIONS it defines. */
  functions: TlsFunction[];
  /** An executable (OpenSSL linked in), not a shared library. */
  executable: boolean;
  /** How it was found: "maps of pid 123", "the loader's search path", "given". */
  foundBy: string;
}

/** What a process has instead of OpenSSL's libssl, when it has none. */
export interface TlsElsewhere {
  /** "Go's crypto/tls", "GnuTLS", "NSS", ... */
  what: string;
  path: string;
}

export interface TlsDiscovery {
  libraries: TlsLibrary[];
  /** Processes looked at, for messages: pid and comm. */
  processes: { pid: number; comm: string }[];
  /** TLS stacks that are not OpenSSL, seen in those processes. */
  elsewhere: TlsElsewhere[];
  /** A target process that does not exist. */
  missingPid?: number;
  /** A file given that does not exist. */
  missingBinary?: string;
  /** Files given or found that define none of the functions, and why not. */
  without: { path: string; reason: string }[];
}

/** What tls() asks for: one process, processes by name, or a file; none: the system's. */
export interface TlsQuery {
  pid?: number;
  comm?: string;
  binary?: string;
}

/** Looks the TLS libraries of `query` up on this host. */
export type TlsLibrarySource = (query: TlsQuery) => TlsDiscovery;

/** Libraries worth opening in a process's maps: OpenSSL's libssl and what provides its API. */
const SSL_NAME = /ssl/i;
/** The loader's names of OpenSSL's libssl (not NSS's libssl3.so, which is another API). */
const LIBSSL_SONAME = /^libssl\.so(\.\d+)*$/;
/** TLS libraries that are not OpenSSL, by file name. */
const OTHER_TLS: [RegExp, string][] = [
  [/^libgnutls\.so/, "GnuTLS"], [/^libnss3\.so|^libssl3\.so/, "NSS"], [/^libmbedtls\.so/, "Mbed TLS"],
  [/^libwolfssl\.so/, "wolfSSL"], [/^librustls/, "rustls"],
];

function functionsOf(elf: ElfSymbols): TlsFunction[] {
  return TLS_FUNCTIONS.filter((f) => findFunction(elf, f));
}

/** A Go program: the linker's build-info section, or the runtime's symbols. */
export function isGoBinary(elf: ElfSymbols): boolean {
  return elf.sections.includes(".go.buildinfo") || elf.byName.has("runtime.main");
}

/** Whether a Go program has crypto/tls linked in (when its symbols are kept). */
function goUsesTls(elf: ElfSymbols): boolean | undefined {
  if (!elf.byName.has("runtime.main")) return undefined; // stripped: can't tell
  for (const name of elf.byName.keys()) if (name.startsWith("crypto/tls.")) return true;
  return false;
}

/** The loader's libssl: /etc/ld.so.cache (format "glibc-ld.so.cache1.1"), as ld.so resolves "libssl.so.3". */
export function loaderLibssl(cacheFile = "/etc/ld.so.cache"): string[] {
  let b: Buffer;
  try {
    b = readFileSync(cacheFile);
  } catch {
    return [];
  }
  const magic = "glibc-ld.so.cache1.1";
  const at = b.indexOf(magic); // after the old format's table, or at 0
  if (at < 0) return [];
  const n = b.readUInt32LE(at + 20);
  const out = new Set<string>();
  for (let i = 0, o = at + 48; i < n && o + 24 <= b.length; i++, o += 24) {
    // flags i32, key u32, value u32 (offsets from the file's start), osversion u32, hwcap u64
    const str = (off: number) => b.toString("latin1", off, b.indexOf(0, off));
    if (!LIBSSL_SONAME.test(str(b.readUInt32LE(o + 4)))) continue;
    try {
      out.add(realpathSync(str(b.readUInt32LE(o + 8))));
    } catch {
      // listed, but gone since ldconfig ran
    }
  }
  return [...out];
}

function sameMountNamespace(pid: number): boolean {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`) === readlinkSync("/proc/self/ns/mnt");
  } catch {
    return true;
  }
}

function commOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** The identity of a file (uprobes attach to the inode: one file under two names is probed once). */
function inodeOf(path: string): string | undefined {
  try {
    const st = statSync(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}

class Collector {
  readonly libraries: TlsLibrary[] = [];
  readonly elsewhere: TlsElsewhere[] = [];
  readonly without: { path: string; reason: string }[] = [];
  /** Files looked at, by inode: whether each defines the functions. */
  readonly #seen = new Map<string, boolean>();

  /** Adds `hostPath` if it defines any of the functions (once per file). */
  add(path: string, hostPath: string, foundBy: string, executable: boolean): void {
    const inode = inodeOf(hostPath);
    if (inode && this.#seen.has(inode)) return;
    const elf = elfSymbolsOf(hostPath);
    if (inode) this.#seen.set(inode, !!elf);
    if (!elf) {
      this.without.push({ path, reason: "it is not a 64-bit ELF executable or library" });
      return;
    }
    const functions = functionsOf(elf);
    if (functions.length === 0) return this.noted(path, elf);
    this.libraries.push({ path, hostPath, functions, executable: elf.type === 2 || executable, foundBy });
  }

  noted(path: string, elf: ElfSymbols): void {
    if (isGoBinary(elf)) {
      const tls = goUsesTls(elf);
      this.elsewhere.push({ what: "Go's crypto/tls", path });
      this.without.push({ path, reason: `it is a Go program${tls === false ? " (without crypto/tls)" : ""}: Go's crypto/tls ` +
        "is written in Go and calls no OpenSSL function, so there is no SSL_read or SSL_write to probe" });
      return;
    }
    this.without.push({ path, reason: `it defines none of ${TLS_FUNCTIONS.join(", ")} (not OpenSSL's libssl, nor linked with it)` });
  }

  /** The TLS libraries of one process: its exe (static OpenSSL, Go) and the libssl it maps. */
  process(pid: number): boolean {
    const maps = readMaps(pid);
    if (!maps) return false;
    const root = sameMountNamespace(pid) ? "" : `/proc/${pid}/root`;
    const by = `maps of pid ${pid}`;
    let exe: string | undefined;
    try {
      exe = readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, "");
    } catch {
      exe = undefined;
    }
    const files = [...new Set(maps.filter((m) => m.perms.includes("x") && m.path.startsWith("/")).map((m) => m.path))];
    for (const path of files) {
      const name = basename(path);
      const other = OTHER_TLS.find(([re]) => re.test(name));
      if (other && !LIBSSL_SONAME.test(name)) this.elsewhere.push({ what: other[1], path });
      if (path === exe || SSL_NAME.test(name)) this.add(path, root + path, by, path === exe);
    }
    return true;
  }
}

/** This host's TLS libraries for `query` (see TlsQuery). */
export function findTlsLibraries(query: TlsQuery): TlsDiscovery {
  const c = new Collector();
  const processes: { pid: number; comm: string }[] = [];
  if (query.binary !== undefined) {
    if (!inodeOf(query.binary)) return { libraries: [], processes, elsewhere: [], without: [], missingBinary: query.binary };
    c.add(query.binary, query.binary, "given", false);
    return { libraries: c.libraries, processes, elsewhere: c.elsewhere, without: c.without };
  }
  if (query.pid !== undefined) {
    const comm = commOf(query.pid);
    if (comm === undefined || !c.process(query.pid)) return { libraries: [], processes, elsewhere: [], without: [], missingPid: query.pid };
    processes.push({ pid: query.pid, comm });
    return { libraries: c.libraries, processes, elsewhere: c.elsewhere, without: c.without };
  }
  // Every process (or every one of that name): the libssl each maps now. Their executables are
  // opened only for a name (a statically linked one), not for every process on the machine.
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    const comm = commOf(pid);
    if (comm === undefined || (query.comm !== undefined && comm !== query.comm)) continue;
    if (query.comm !== undefined) {
      if (c.process(pid)) processes.push({ pid, comm });
      continue;
    }
    const maps = readMaps(pid);
    if (!maps) continue;
    const root = sameMountNamespace(pid) ? "" : `/proc/${pid}/root`;
    for (const path of new Set(maps.filter((m) => m.perms.includes("x") && LIBSSL_SONAME.test(basename(m.path))).map((m) => m.path)))
      c.add(path, root + path, `maps of pid ${pid}`, false);
  }
  // and the system's, for processes that start (or load it) later
  for (const path of loaderLibssl()) c.add(path, path, "the loader's search path (/etc/ld.so.cache)", false);
  return { libraries: c.libraries, processes, elsewhere: c.elsewhere, without: c.without };
}
