// The page's one link to the notebook server: REST and the kernel websocket
// through @jupyterlab/services, with the token from the page's own URL (the
// page is served by that server under /static/, so it is the same origin).
// Everything that can go wrong here (the kernel dies, restarts, the server
// goes away) ends up in one `state` the page shows.

import { KernelManager, ServerConnection, SessionManager, ContentsManager, type Kernel, type Session } from "@jupyterlab/services";

export type LinkState = "starting" | "idle" | "busy" | "restarting" | "died" | "dead" | "disconnected" | "server-gone";

export interface Link {
  readonly settings: ServerConnection.ISettings;
  readonly contents: ContentsManager;
  kernel(): Kernel.IKernelConnection;
  restart(): Promise<void>;
  interrupt(): Promise<void>;
  onState(listener: (state: LinkState, detail: string) => void): void;
}

/** Where the server is: the page lives at <base>static/playground/index.html. */
export function serverSettings(): ServerConnection.ISettings {
  const here = new URL(location.href);
  const token = here.searchParams.get("token") ?? "";
  const at = here.pathname.indexOf("/static/playground/");
  const basePath = at >= 0 ? here.pathname.slice(0, at + 1) : "/";
  const baseUrl = `${here.origin}${basePath}`;
  const wsUrl = baseUrl.replace(/^http/, "ws");
  return ServerConnection.makeSettings({ baseUrl, wsUrl, token, appendToken: true });
}

export async function connect(kernelName = "probebook"): Promise<Link> {
  const settings = serverSettings();
  const kernelManager = new KernelManager({ serverSettings: settings });
  const sessions = new SessionManager({ kernelManager, serverSettings: settings });
  const contents = new ContentsManager({ serverSettings: settings });
  await sessions.ready;
  const name = `playground-${new Date().toISOString().replace(/[:.]/g, "-")}.ipynb`;
  const session: Session.ISessionConnection = await sessions.startNew({ path: name, name, type: "notebook", kernel: { name: kernelName } });
  const listeners: ((state: LinkState, detail: string) => void)[] = [];
  let serverGone = false;
  const emit = (state: LinkState, detail = "") => listeners.forEach((l) => l(state, detail));
  const kernel = () => {
    if (!session.kernel) throw new Error("the session has no kernel");
    return session.kernel;
  };
  const watch = (k: Kernel.IKernelConnection) => {
    k.statusChanged.connect((_, status) => {
      if (serverGone) return;
      if (status === "dead") emit("dead", "The kernel died. Restart it to go on (your runs and the export stay).");
      else if (status === "autorestarting") emit("died", "The kernel died, and the server is starting a new one: what earlier runs defined is gone (run them again from the history).");
      else if (status === "restarting") emit("restarting", "The kernel is restarting…");
      else if (status === "idle" || status === "busy") emit(status);
    });
    k.connectionStatusChanged.connect((_, status) => {
      if (serverGone) return;
      if (status === "connecting") emit("disconnected", "Lost the connection to the kernel; reconnecting…");
      else if (status === "connected") emit(k.status === "busy" ? "busy" : "idle");
    });
  };
  watch(kernel());
  session.kernelChanged.connect((_, change) => change.newValue && watch(change.newValue));

  // Every page load starts its own kernel: leaving the page ends it, or reloads
  // would pile kernels up on the server (keepalive: the request outlives the page).
  addEventListener("pagehide", () => {
    void fetch(`${settings.baseUrl}api/sessions/${session.id}`, { method: "DELETE", keepalive: true, headers: { Authorization: `token ${settings.token}` } }).catch(() => undefined);
  });

  // The websocket notices a dead server only when it tries to reconnect: ask
  // the REST API every few seconds so that the page says so plainly.
  setInterval(async () => {
    try {
      const r = await ServerConnection.makeRequest(`${settings.baseUrl}api/status`, {}, settings);
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      if (serverGone) {
        serverGone = false;
        emit(kernel().status === "busy" ? "busy" : "idle");
      }
    } catch (error) {
      if (!serverGone) {
        serverGone = true;
        emit("server-gone", `The notebook server at ${settings.baseUrl} does not answer (${(error as Error).message}). Start it again with npm start, then reload this page.`);
      }
    }
  }, 3000);

  return {
    settings,
    contents,
    kernel,
    async restart() {
      emit("restarting", "The kernel is restarting…");
      await kernel().restart();
    },
    async interrupt() {
      await kernel().interrupt();
    },
    onState(listener) {
      listeners.push(listener);
    },
  };
}
