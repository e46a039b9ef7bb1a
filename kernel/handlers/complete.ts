// complete_request: cursor positions cross from code points (protocol) to
// UTF-16 (executor) and back.
import { codePointsToUtf16, utf16ToCodePoints } from "../protocol/cursor.js";
import { errorReply } from "./failure.js";
import type { Handler } from "./types.js";

export const handleComplete: Handler<"complete_request"> = async ({ request, reply, kernel }) => {
  const { code, cursor_pos: cursorPos } = request.content;
  try {
    const executor = await kernel.executor();
    const found = await executor.complete(code, codePointsToUtf16(code, cursorPos));
    reply({
      status: "ok",
      matches: found.matches,
      cursor_start: utf16ToCodePoints(code, found.cursorStart),
      cursor_end: utf16ToCodePoints(code, found.cursorEnd),
      metadata: found.metadata ?? {},
    });
  } catch (err) {
    reply(errorReply(err, "completing the code"));
  }
};
