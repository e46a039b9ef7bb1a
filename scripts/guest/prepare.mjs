// Prepares one guest kernel for boot.mjs: the kernel image and an initramfs
// holding busybox, init.sh and the modules the boot needs. Cached under
// build/guest/<name>/ and rebuilt only when an input changes, so a second run
// only checks.
//
// A kernel is named the way test/guest/kernels.txt names it:
// - a Debian package ("linux-image-amd64", "linux-image-6.1.0-57-amd64"):
//   fetched with apt-get download and unpacked with dpkg-deb, never installed;
//   a metapackage resolves to the image it depends on today;
// - a path to a vmlinux or bzImage, optionally followed by the directory of its
//   modules.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const initScript = join(root, "scripts/guest/init.sh");
const busybox = "/bin/busybox"; // busybox-static: the initramfs has no libc

/**
 * What the boot must load before it can mount the host's root: virtio-pci
 * (the 9p transport), 9p itself and overlayfs. Where one is built in, no .ko
 * exists and nothing is loaded for it.
 */
const bootModules = ["virtio_pci", "9pnet_virtio", "9p", "overlay"];

const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: "utf8", ...opts });
const log = (msg) => process.stderr.write(`guest: ${msg}\n`);

/** Parses one kernels.txt line (or command-line argument) into a kernel source. */
export function parseKernelSpec(line) {
  const [first, modules] = line.trim().split(/\s+/);
  if (first.includes("/")) return { kind: "path", image: resolve(first), modules: modules && resolve(modules) };
  return { kind: "debian", package: first };
}

/** The kernels test/guest/kernels.txt lists. */
export function listedKernels(file = join(root, "test/guest/kernels.txt")) {
  return readFileSync(file, "utf8").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
}

/** The concrete linux-image package a (meta)package stands for today. */
function resolveImagePackage(pkg) {
  const depends = () => {
    try {
      return run("apt-cache", ["depends", "--important", pkg]);
    } catch {
      return "";
    }
  };
  let text = depends();
  if (!text) {
    log("apt lists are empty: apt-get update");
    run("apt-get", ["update", "-qq"]);
    text = depends();
  }
  if (!text) throw new Error(`apt-cache knows no package ${pkg}`);
  const image = /Depends:\s*(linux-image-\d\S*)/.exec(text);
  return image ? image[1] : pkg;
}

/** Offsets of the compressed payload in a bzImage, and how to unpack it. */
const payloads = [
  { magic: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), cmd: ["xz", "-dc", "--single-stream"] },
  { magic: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), cmd: ["zstd", "-dcq"] },
  { magic: Buffer.from([0x1f, 0x8b, 0x08]), cmd: ["gzip", "-dc"] },
];

/**
 * The uncompressed vmlinux inside a bzImage, or undefined. Booting it
 * through its PVH entry skips the decompressor, which under TCG is about half
 * the boot (measured: 3 s to the command against 6 s for the bzImage).
 */
function extractVmlinux(bzImage, out) {
  const image = readFileSync(bzImage);
  for (const { magic, cmd } of payloads) {
    for (let at = image.indexOf(magic); at >= 0; at = image.indexOf(magic, at + 1)) {
      let elf;
      try {
        elf = execFileSync(cmd[0], cmd.slice(1), { input: image.subarray(at), maxBuffer: 1 << 30, stdio: ["pipe", "pipe", "ignore"] });
      } catch (e) {
        // A trailing-garbage complaint still leaves the whole first stream on stdout.
        elf = e.stdout;
      }
      if (elf?.length > 1 << 20 && elf.subarray(0, 4).equals(Buffer.from("\x7fELF", "latin1")) && hasPvhNote(elf)) {
        writeFileSync(out, elf);
        return out;
      }
    }
  }
  return undefined;
}

/** Whether an ELF kernel has the Xen PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY, type 18) qemu boots. */
function hasPvhNote(elf) {
  const name = Buffer.from("Xen\0", "latin1");
  for (let at = elf.indexOf(name); at >= 0 && at < elf.length; at = elf.indexOf(name, at + 1)) {
    if (at >= 12 && elf.readUInt32LE(at - 12) === 4 && elf.readUInt32LE(at - 4) === 18) return true;
  }
  return false;
}

/** The `depends=` of a module, read from its .modinfo strings (no kmod on the host). */
function moduleDepends(ko) {
  const m = /(?:^|\0)depends=([^\0]*)\0/.exec(readFileSync(ko, "latin1"));
  return m && m[1] ? m[1].split(",") : [];
}

function findModules(dir) {
  const found = new Map();
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ko")) found.set(e.name.slice(0, -3).replace(/-/g, "_"), p);
    }
  };
  if (dir && existsSync(dir)) walk(dir);
  return found;
}

/** The boot modules and everything they depend on, dependencies first. */
function moduleOrder(available) {
  const order = [];
  const visit = (name, chain) => {
    const key = name.replace(/-/g, "_");
    if (order.includes(key) || !available.has(key)) return; // loaded already, or built in
    if (chain.includes(key)) throw new Error(`module dependency cycle: ${[...chain, key].join(" -> ")}`);
    for (const dep of moduleDepends(available.get(key))) visit(dep, [...chain, key]);
    order.push(key);
  };
  for (const m of bootModules) visit(m, []);
  return order;
}

function buildInitramfs(dir, modules) {
  const stage = join(dir, "initramfs");
  rmSync(stage, { recursive: true, force: true });
  for (const d of ["bin", "modules", "proc", "sys", "dev"]) mkdirSync(join(stage, d), { recursive: true });
  copyFileSync(busybox, join(stage, "bin/busybox"));
  copyFileSync(initScript, join(stage, "init"));
  run("chmod", ["0755", join(stage, "init"), join(stage, "bin/busybox")]);
  const order = [];
  for (const [name, path] of modules) {
    copyFileSync(path, join(stage, "modules", `${name}.ko`));
    order.push(`${name}.ko`);
  }
  writeFileSync(join(stage, "modules.order"), order.map((m) => `${m}\n`).join(""));
  const cpio = join(dir, "initramfs.cpio");
  run("bash", ["-c", `cd "${stage}" && find . -print0 | cpio --null -o -H newc --quiet > "${cpio}.tmp" && mv "${cpio}.tmp" "${cpio}"`]);
  rmSync(stage, { recursive: true, force: true });
  return cpio;
}

const digest = (...parts) => createHash("sha256").update(parts.join("\0")).digest("hex");

/**
 * Makes build/guest/<name>/ ready and returns what boot.mjs needs:
 * { name, image, initramfs, release }.
 */
export function prepareKernel(line) {
  const spec = parseKernelSpec(line);
  const name = spec.kind === "debian" ? resolveImagePackage(spec.package) : basename(spec.image);
  const dir = join(root, "build/guest", name);
  const stampFile = join(dir, "ready.json");
  const inputs = digest(readFileSync(initScript, "utf8"), bootModules.join(","), line,
    spec.kind === "path" ? String(statSync(spec.image).mtimeMs) : "");
  if (existsSync(stampFile)) {
    const stamp = JSON.parse(readFileSync(stampFile, "utf8"));
    if (stamp.inputs === inputs && existsSync(stamp.image) && existsSync(stamp.initramfs)) return stamp;
  }
  mkdirSync(dir, { recursive: true });

  let bzImage, modulesDir, release;
  if (spec.kind === "debian") {
    const unpacked = join(dir, "root");
    if (!existsSync(join(unpacked, "boot"))) {
      log(`fetching ${name} (apt-get download; not installed)`);
      const debs = join(dir, "deb");
      rmSync(debs, { recursive: true, force: true });
      mkdirSync(debs, { recursive: true });
      run("apt-get", ["download", "-qq", name], { cwd: debs, stdio: ["ignore", "ignore", "pipe"] });
      const deb = readdirSync(debs).find((f) => f.endsWith(".deb"));
      if (!deb) throw new Error(`apt-get download ${name} left no .deb`);
      run("dpkg-deb", ["-x", join(debs, deb), unpacked + ".tmp"]);
      rmSync(unpacked, { recursive: true, force: true });
      run("mv", [unpacked + ".tmp", unpacked]);
      rmSync(debs, { recursive: true, force: true });
    }
    const vmlinuz = readdirSync(join(unpacked, "boot")).find((f) => f.startsWith("vmlinuz-"));
    if (!vmlinuz) throw new Error(`${name} has no /boot/vmlinuz-*`);
    release = vmlinuz.slice("vmlinuz-".length);
    bzImage = join(unpacked, "boot", vmlinuz);
    modulesDir = join(unpacked, "lib/modules", release);
  } else {
    bzImage = spec.image;
    modulesDir = spec.modules;
    release = basename(spec.image);
  }

  const isElf = readFileSync(bzImage).subarray(0, 4).equals(Buffer.from("\x7fELF", "latin1"));
  const image = isElf ? bzImage : extractVmlinux(bzImage, join(dir, "vmlinux")) ?? bzImage;
  const available = findModules(modulesDir);
  const modules = moduleOrder(available).map((m) => [m, available.get(m)]);
  log(`${name}: ${image === bzImage ? "bzImage" : "vmlinux (PVH)"}, modules ${modules.map(([m]) => m).join(" ") || "(built in)"}`);
  const initramfs = buildInitramfs(dir, modules);
  const ready = { name, release, image, initramfs, inputs };
  writeFileSync(stampFile, JSON.stringify(ready, null, 2));
  return ready;
}

// `node scripts/guest/prepare.mjs [kernel...]`: prepare without booting.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const kernels = process.argv.length > 2 ? process.argv.slice(2) : listedKernels();
  for (const k of kernels) console.log(JSON.stringify(prepareKernel(k)));
}
