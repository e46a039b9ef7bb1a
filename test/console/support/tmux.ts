// A terminal for tests: a tmux server of the test's own (its socket in a temp
// dir), one pane of a fixed size running a command; keys typed with
// send-keys, the screen read with capture-pane, as a person would see it.
import { execFileSync } from "node:child_process";
import { join } from "node:path";

export interface Terminal {
  /** Types `text` literally, then presses Enter. */
  type(text: string): void;
  /** Presses keys by tmux name ("C-c", "C-d", "Enter"). */
  press(...keys: string[]): void;
  /** The visible screen, trailing blank lines dropped. */
  screen(): string;
  /** Everything the pane printed (history and screen). */
  history(): string;
  /** Resolves with the screen once `test` passes on it; fails after `timeoutMs` showing the screen. */
  waitFor(test: (screen: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  kill(): void;
}

export function startTerminal(dir: string, command: string, { columns = 120, rows = 50 } = {}): Terminal {
  const socket = join(dir, "tmux.sock");
  const tmux = (...args: string[]) => execFileSync("tmux", ["-S", socket, "-f", "/dev/null", ...args], { encoding: "utf8" });
  tmux("new-session", "-d", "-x", String(columns), "-y", String(rows), command);
  // Keep the pane when the command ends, so that its last words can be read.
  tmux("set-option", "-t", "0", "remain-on-exit", "on");
  const trim = (text: string) => text.replace(/\s+$/, "");
  const terminal: Terminal = {
    type(text) {
      tmux("send-keys", "-t", "0", "-l", text);
      tmux("send-keys", "-t", "0", "Enter");
    },
    press(...keys) {
      tmux("send-keys", "-t", "0", ...keys);
    },
    screen: () => trim(tmux("capture-pane", "-p", "-t", "0")),
    history: () => trim(tmux("capture-pane", "-p", "-S", "-", "-t", "0")),
    async waitFor(test, what, timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const screen = terminal.history();
        if (test(screen)) return screen;
        if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the terminal shows:\n${terminal.screen()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    kill() {
      try {
        tmux("kill-server");
      } catch {
        // already gone
      }
    },
  };
  return terminal;
}
