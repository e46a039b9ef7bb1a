import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { endpoint, parseConnectionInfo, readConnectionFile } from "../../../kernel/protocol/connection.js";

const valid = { shell_port: 1, control_port: 2, stdin_port: 3, iopub_port: 4, hb_port: 5, ip: "127.0.0.1", key: "k", transport: "tcp", signature_scheme: "hmac-sha256", kernel_name: "probebook" };

describe("connection files", () => {
  it("reads what jupyter_client writes", async () => {
    const dir = await mkdtemp(join(tmpdir(), "conn-"));
    await writeFile(join(dir, "c.json"), JSON.stringify(valid));
    const info = await readConnectionFile(join(dir, "c.json"));
    expect(info).toEqual(valid);
    expect(endpoint(info, "iopub")).toBe("tcp://127.0.0.1:4");
    expect(endpoint({ ...info, transport: "ipc", ip: "/tmp/k" }, "hb")).toBe("ipc:///tmp/k-5");
  });

  it("explains what is wrong", async () => {
    expect(() => parseConnectionInfo({ ...valid, hb_port: "5" }, "f.json")).toThrow('cannot use connection file f.json: hb_port must be an integer port number, got "5"');
    expect(() => parseConnectionInfo({ ...valid, transport: "udp" }, "f.json")).toThrow('transport must be "tcp" or "ipc"');
    expect(() => parseConnectionInfo([], "f.json")).toThrow("it is not a JSON object");
    await expect(readConnectionFile("/nonexistent/c.json")).rejects.toThrow(/cannot use connection file \/nonexistent\/c.json: ENOENT.*was the kernel started by hand/);
  });

  it("defaults transport, ip, key and scheme like jupyter_client", () => {
    const { shell_port, control_port, stdin_port, iopub_port, hb_port } = valid;
    expect(parseConnectionInfo({ shell_port, control_port, stdin_port, iopub_port, hb_port })).toEqual({
      transport: "tcp", ip: "127.0.0.1", shell_port, control_port, stdin_port, iopub_port, hb_port, key: "", signature_scheme: "hmac-sha256",
    });
  });
});
