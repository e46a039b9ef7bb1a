// plot.flame()'s text (runtime/plot/text/flame-text.ts): an indented call tree with shares.
import * as aq from "arquero";
import { describe, expect, it } from "vitest";
import * as plot from "../../../../probes-lib/plot.js";
import { flameText } from "../../../../runtime/plot/text/flame-text.js";
import { cpuProfile } from "../../fixtures/plot-tables.js";

const text = (...lines: string[]) => lines.join("\n");

describe("flame text", () => {
  it("lists the call tree top down, hottest child first, with each frame's share", () => {
    expect(plot.flame(cpuProfile()).text(80)).toBe(text(
      "flame graph of 1,000 samples: 10 frames, 3 deep",
      "100.0%  all",
      "100.0%    main",
      " 65.0%      handle_request",
      " 40.0%        parse_json",
      " 25.0%        render_html",
      " 20.0%      gc",
      " 12.0%        mark",
      "  8.0%        sweep",
      " 15.0%      idle",
      " 15.0%        epoll_wait",
    ));
  });

  it("leaves out frames under 1%, cuts long names on a narrow terminal, and stops at the line limit", () => {
    const root = { name: "all", value: 1000, children: [
      { name: "a_very_long_function_name_that_goes_on_and_on", value: 995, children: [{ name: "leaf", value: 5, children: [] }, { name: "other", value: 990, children: [] }] },
      { name: "tiny", value: 5, children: [] },
    ] };
    expect(flameText({ summary: "flame", root }, 30)).toBe(text("flame", "100.0%  all", " 99.5%    a_very_long_functio…", " 99.0%      other"));
    const flat = { name: "all", value: 10, children: [{ name: "a", value: 6, children: [] }, { name: "b", value: 3, children: [] }, { name: "c", value: 1, children: [] }] };
    expect(flameText({ summary: "flame", root: flat }, 40, 2)).toBe(text("flame", "100.0%  all", " 60.0%    a", "(2 more frames of at least 1% not listed)"));
  });

  it("says so when there are no samples", () => {
    expect(plot.flame(aq.table({ stack: [] as string[] })).text(80)).toBe(text("flame graph of 0 samples: 1 frames, 0 deep", "(no samples)"));
  });
});
