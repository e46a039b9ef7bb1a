// Boots a prepared guest kernel (prepare.mjs) under qemu, runs one job in it
// and powers it off. The job is a bash script written to the read-write
// results share, which the guest mounts at /pb-results; everything it writes
// there is on the host when boot() returns.
//
// Software emulation (TCG), never KVM: this host's /dev/kvm is PVM-only, and
// an ordinary guest kernel dies under it (emulation failures on cmpxchg16b,
// xrstor, int3). TCG runs the guest 12-30x slower than the host.
//
// One vCPU by default: with two, 6.1 once called a NULL pointer from the
// openat syscall while an fentry trampoline on do_sys_openat2 was attached and
// detached under load (an oops in the guest, then a hang; seen once in a full
// suite, 2026-12). Live code patching (text_poke) across emulated vCPUs is the
// likely cause; with one, nothing is patched under a running CPU.
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The last `lines` lines of a file, or "" when it does not exist. */
export function tail(file, lines = 40) {
  if (!existsSync(file)) return "";
  return readFileSync(file, "utf8").split("\n").slice(-lines - 1).join("\n");
}

/**
 * Boots `kernel` ({ image, initramfs } from prepareKernel) with `job` (bash
 * source) and waits for the guest to power off, or kills it after
 * `timeoutMs`. Returns { status, readyS, elapsedS, timedOut, console } where
 * status is the job's exit status (undefined if it never ended), readyS the
 * guest's uptime when init handed over to the job.
 */
export async function boot(kernel, job, { out, timeoutMs = 15 * 60_000, memoryMiB = 4096, cpus = 1, onLine } = {}) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "job.sh"), job);
  const consoleFile = join(out, "console.log");
  const args = [
    "-accel", "tcg,thread=multi", "-cpu", "max", "-smp", String(cpus), "-m", String(memoryMiB),
    "-kernel", kernel.image, "-initrd", kernel.initramfs,
    // quiet: the serial line runs at about 420 KB/s, and boot messages are not
    // results. panic=-1 turns a panic into a reboot, which -no-reboot ends.
    "-append", "console=ttyS0 quiet loglevel=3 panic=-1 rdinit=/init",
    "-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap",
    "-virtfs", `local,path=${out},mount_tag=results,security_model=none,multidevs=remap`,
    "-nographic", "-no-reboot", "-nic", "none", "-serial", "mon:stdio",
  ];
  const started = Date.now();
  const qemu = spawn("qemu-system-x86_64", args, { stdio: ["ignore", "pipe", "pipe"] });
  const consoleLog = createWriteStream(consoleFile);
  let readyS;
  let pending = "";
  const onData = (chunk) => {
    consoleLog.write(chunk);
    pending += chunk.toString("utf8");
    const lines = pending.split(/\r?\n/);
    pending = lines.pop();
    for (const line of lines) {
      const ready = /pb-guest: ready after ([\d.]+) s/.exec(line);
      if (ready) readyS = Number(ready[1]);
      onLine?.(line);
    }
  };
  qemu.stdout.on("data", onData);
  qemu.stderr.on("data", onData);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    qemu.kill("SIGKILL");
  }, timeoutMs);
  const exit = await new Promise((done) => {
    qemu.on("error", (e) => done({ error: e }));
    qemu.on("exit", (code, signal) => done({ code, signal }));
  });
  clearTimeout(timer);
  await new Promise((done) => consoleLog.end(done));
  if (exit.error) throw new Error(`qemu-system-x86_64 did not start: ${exit.error.message} (is qemu-system-x86 installed?)`);
  const rcFile = join(out, "job.rc");
  const status = existsSync(rcFile) ? Number(readFileSync(rcFile, "utf8").trim()) : undefined;
  return { status, readyS, elapsedS: (Date.now() - started) / 1000, timedOut, console: tail(consoleFile) };
}
