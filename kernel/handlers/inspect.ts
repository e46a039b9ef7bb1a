// inspect_request (shift-tab / the contextual help panel).
import { codePointsToUtf16 } from "../protocol/cursor.js";
import { errorReply } from "./failure.js";
import type { Handler } from "./types.js";

export const handleInspect: Handler<"inspect_request"> = async ({ request, reply, kernel }) => {
  const { code, cursor_pos: cursorPos, detail_level: detailLevel } = request.content;
  try {
    const executor = await kernel.executor();
    const found = await executor.inspect(code, codePointsToUtf16(code, cursorPos), detailLevel);
    reply({ status: "ok", found: found.found, data: found.found ? found.data : {}, metadata: found.metadata ?? {} });
  } catch (err) {
    reply(errorReply(err, "inspecting the code"));
  }
};
