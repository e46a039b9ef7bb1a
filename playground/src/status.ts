// What the page says about its kernel: the status pill, the banner, and
// body[data-ready] (true when a run can start at once; the tests and the
// bench wait on it). Shared by the first paint (main.ts) and the session.

import type { LinkState } from "./connection.js";

const $ = (id: string) => document.getElementById(id)!;

export const page = {
  state: "starting" as LinkState,
  /** A run is on the kernel (the page's own runs, not explain()). */
  running: false,
  /** A kernel death the server recovered from: shown until the next run. */
  notice: "",
};

const WORDS: Record<LinkState, string> = {
  starting: "starting…", idle: "ready", busy: "busy", restarting: "restarting…", died: "kernel died",
  dead: "kernel dead", disconnected: "reconnecting…", "server-gone": "server gone",
};

export function show(next: LinkState, detail = ""): void {
  page.state = next;
  const status = $("status");
  const banner = $("banner");
  status.dataset.state = next;
  status.textContent = next === "busy" && page.running ? "running…" : WORDS[next];
  // The person must learn that the kernel's state is gone, even once a new one is up.
  if (next === "died") page.notice = detail;
  const trouble = next === "dead" || next === "server-gone" || next === "disconnected";
  const message = trouble ? detail : page.notice;
  banner.hidden = !message;
  banner.textContent = message;
  document.body.dataset.ready = String(next === "idle" && !page.running);
}

export function clearNotice(): void {
  page.notice = "";
  $("banner").hidden = true;
}
