// history_request over this session's in-memory history (see ../history.ts).
import type { Handler } from "./types.js";

export const handleHistory: Handler<"history_request"> = async ({ request, reply, kernel }) => {
  const req = request.content;
  const { history } = kernel;
  switch (req.hist_access_type) {
    case "tail":
      reply({ status: "ok", history: history.tail(req.n, req.output) });
      return;
    case "range":
      reply({ status: "ok", history: history.range(req.session, req.start, req.stop, req.output) });
      return;
    case "search":
      reply({ status: "ok", history: history.search(req.pattern, req.unique, req.n, req.output) });
      return;
  }
};
