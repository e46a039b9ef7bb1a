// Contract 2 for the aggregation templates: the generated descriptors transcribe
// filter.h, agg_common.h, agg_tp.h and lat_pairs.h (the staleness check itself is
// test/bpf/descriptors.test.ts, which covers every template).
import { describe, expect, it } from "vitest";
import { descriptor as aggTp } from "../../bpf/generated/agg_tp.js";
import { descriptor as latPairs } from "../../bpf/generated/lat_pairs.js";
import { AGG, AGG_KEY_MAX, LAT, valueLayout } from "../../runtime/templates/aggregation.js";

const layout = (s: { members: readonly { name: string; offset: number; size: number }[] }) =>
  s.members.map((m) => `${m.name}@${m.offset}:${m.size}`);

describe("aggregation descriptors", () => {
  it("describe the shared value, key part, predicate and filter layouts identically in both objects", () => {
    for (const name of ["agg_value", "agg_key_part", "agg_plan", "pb_pred", "pb_filter", "agg_value_src"] as const)
      expect(latPairs.structs[name]).toEqual(aggTp.structs[name]);
    expect(layout(aggTp.structs.agg_value)).toEqual(["count@0:8", "sum@8:8", "min@16:8", "max@24:8", "slots@32:0"]);
    expect(layout(aggTp.structs.agg_key_part)).toEqual(["src_off@0:2", "size@2:1", "dst_off@3:1", "src@4:1", "_pad@5:3"]);
    expect(layout(aggTp.structs.pb_pred)).toEqual(["value@0:8", "src_off@8:2", "size@10:1", "is_signed@11:1", "op@12:1", "_pad@13:3"]);
    expect(aggTp.enums.pb_pred_op).toEqual({ PB_PRED_NONE: 0, PB_PRED_EQ: 1, PB_PRED_NE: 2, PB_PRED_LT: 3, PB_PRED_LE: 4,
      PB_PRED_GT: 5, PB_PRED_GE: 6, PB_PRED_MASK: 7 });
    expect(valueLayout(3)).toEqual({ count: 0, sum: 8, min: 16, max: 24, slots: 32, nslots: 3 });
    expect(AGG).toMatchObject({ maxKeys: 6, maxPreds: 4, commLength: 16, valueHeaderSize: 32 });
    expect(AGG_KEY_MAX).toBe(64);
  });

  it("list the maps and programs the runtime uses", () => {
    expect(aggTp.programs).toEqual([{ name: "pb_agg_tp", section: "tracepoint" }]);
    expect(latPairs.programs).toEqual([
      { name: "pb_lat_end", section: "tracepoint" },
      { name: "pb_lat_fentry", section: "fentry" },
      { name: "pb_lat_fexit", section: "fexit" },
      { name: "pb_lat_kprobe", section: "kprobe" },
      { name: "pb_lat_kretprobe", section: "kretprobe" },
      { name: "pb_lat_rq_done", section: "tp_btf/block_rq_complete" },
      { name: "pb_lat_rq_issue", section: "tp_btf/block_rq_issue" },
      { name: "pb_lat_start", section: "tracepoint" },
      { name: "pb_lat_uprobe", section: "uprobe" },
      { name: "pb_lat_uretprobe", section: "uretprobe" },
    ]);
    expect(Object.keys(aggTp.maps)).toEqual(["pb_agg0", "pb_agg1", "pb_ctl", "pb_hits", "pb_lost", "pb_sample_seq", "pb_stacks", "pb_zero"]);
    expect(aggTp.maps.pb_agg0).toEqual({ type: "percpu_hash", maxEntries: 10240 }); // sizes: set by the loader
    expect(latPairs.maps.pb_start).toEqual({ type: "lru_hash", maxEntries: 16384, keySize: 16, valueSize: 8 });
    expect(LAT).toMatchObject({ eventSize: 80, eventKeyOffset: 16, ringMap: "pb_lat_events" });
  });
});
