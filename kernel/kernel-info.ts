// The kernel_info_reply content. Answered before the runtime has loaded (a
// frontend asks for it first and waits), so everything here is cheap: the
// versions come from package.json files, not from importing TypeScript.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { packageRoot } from "./package-root.js";
import { PROTOCOL_VERSION, type ReplyContents } from "./protocol/messages.js";

function probebookVersion(): string {
  try {
    return packageRoot().version;
  } catch {
    return "0.0.0";
  }
}

function typescriptVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    const pkg = JSON.parse(readFileSync(require.resolve("typescript/package.json"), "utf8")) as { version?: string };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

let cached: ReplyContents["kernel_info_reply"] | undefined;

export function kernelInfo(): ReplyContents["kernel_info_reply"] {
  if (cached) return cached;
  const version = probebookVersion();
  const tsVersion = typescriptVersion();
  cached = {
    status: "ok",
    protocol_version: PROTOCOL_VERSION,
    implementation: "probebook",
    implementation_version: version,
    language_info: {
      name: "typescript",
      version: tsVersion,
      mimetype: "text/typescript",
      file_extension: ".ts",
      codemirror_mode: { name: "javascript", typescript: true },
      pygments_lexer: "typescript",
      nbconvert_exporter: "script",
    },
    banner:
      `probebook ${version} - TypeScript ${tsVersion} cells on Node.js ${process.versions.node}, ` +
      "with eBPF probes whose results come back as arquero tables",
    debugger: false,
    help_links: [
      { text: "TypeScript handbook", url: "https://www.typescriptlang.org/docs/handbook/intro.html" },
      { text: "Arquero API", url: "https://idl.uw.edu/arquero/api/" },
      { text: "BPF documentation (kernel.org)", url: "https://docs.kernel.org/bpf/" },
      { text: "Jupyter messaging protocol", url: "https://jupyter-client.readthedocs.io/en/stable/messaging.html" },
    ],
  };
  return cached;
}
