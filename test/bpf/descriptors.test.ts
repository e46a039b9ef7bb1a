// Contract 2: the TypeScript descriptor of each template is generated from the
// compiled object's BTF; this fails when bpf/generated/ is stale.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { descriptor } from "../../bpf/generated/tp_events.js";

const root = resolve(import.meta.dirname, "../..");
const generator = join(root, "scripts/gen-bpf-descriptors.mjs");

beforeAll(() => {
  execFileSync("make", ["-C", join(root, "bpf"), "--no-print-directory", "-s"]); // idempotent
});

describe("generated template descriptors", () => {
  it("match the compiled objects (run scripts/build-bpf.sh when this fails)", () => {
    const r = spawnSync("node", [generator, "--check"], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("are detected as stale when they differ", () => {
    const dir = mkdtempSync(join(tmpdir(), "probebook-gen-"));
    try {
      execFileSync("node", [generator, "--dir", dir]);
      const file = join(dir, "tp_events.ts");
      expect(readFileSync(file, "utf8")).toBe(readFileSync(join(root, "bpf/generated/tp_events.ts"), "utf8"));
      writeFileSync(file, readFileSync(file, "utf8").replace('"name": "pb_events"', '"name": "pb_evnts"')
        .replace(`{"name": "ts_ns", "offset": 0`, `{"name": "ts_ns", "offset": 8`));
      const r = spawnSync("node", [generator, "--check", "--dir", dir], { encoding: "utf8" });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("tp_events.ts is stale: run scripts/build-bpf.sh");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("transcribe tp_events.h: header (common.bpf.h), config with the shared filter, plan entry and field kinds", () => {
    expect(descriptor.programs).toEqual([{ name: "pb_tp_events", section: "tracepoint" }]);
    expect(Object.keys(descriptor.maps)).toEqual(["pb_drops", "pb_events", "pb_sample_seq", "pb_stacks"]);
    expect(descriptor.maps.pb_events.type).toBe("ringbuf");
    expect(descriptor.maps.pb_drops).toEqual({ type: "percpu_array", maxEntries: 1, keySize: 4, valueSize: 8 });
    const header = descriptor.structs.pb_event_header;
    expect(header.size).toBe(56);
    expect(header.members.map((m) => `${m.name}@${m.offset}:${m.size}`)).toEqual([
      "ts_ns@0:8", "cgroup_id@8:8", "cpu@16:4", "pid@20:4", "tid@24:4", "uid@28:4", "gid@32:4", "comm@36:16", "_pad@52:4",
    ]);
    expect(descriptor.structs.tp_field_plan.size).toBe(12);
    expect(descriptor.structs.tp_events_config.members.map((m) => `${m.name}@${m.offset}:${m.size}`)).toEqual([
      "event_size@0:4", "nfields@4:4", "wakeup_bytes@8:8", "header@16:16", "filter@32:128", "fields@160:192",
      "stacks@352:8", // opt-in kstack/ustack ids (struct tp_stack_plan)
    ]);
    // where each header member goes (0xffff: not recorded), one u16 per member, in the header's order
    expect(descriptor.structs.pb_header_plan.members.map((m) => `${m.name}@${m.offset}:${m.size}`)).toEqual([
      "ts_ns@0:2", "cgroup_id@2:2", "cpu@4:2", "pid@6:2", "tid@8:2", "uid@10:2", "gid@12:2", "comm@14:2",
    ]);
    expect(descriptor.structs.tp_events_config.members.find((m) => m.name === "fields")!.type).toEqual(
      { kind: "array", of: { kind: "struct", name: "tp_field_plan" }, count: 16 });
    expect(descriptor.sections[".rodata"].vars[0]).toMatchObject({ name: "cfg", offset: 0, size: 360 });
    expect(descriptor.enums.tp_field_kind).toEqual({
      TP_FIELD_NONE: 0, TP_FIELD_INT: 1, TP_FIELD_ARRAY: 2, TP_FIELD_DATA_LOC: 3, TP_FIELD_REL_LOC: 4,
      TP_FIELD_USER_STR: 5, TP_FIELD_KERNEL_STR: 6,
    });
  });
});
