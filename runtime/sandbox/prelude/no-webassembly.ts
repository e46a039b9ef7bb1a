// WebAssembly is taken out of the sandbox: a WebAssembly.Memory lives outside
// the V8 heap that isolated-vm's memory limit counts, so a cell could grow one
// to 4 GB (and make several) in a sandbox limited to 512 MB, taking the
// machine's memory. Nothing in probebook needs it. Non-configurable, so a cell
// can't put it back; reading it says why it is gone.

Object.defineProperty(globalThis, "WebAssembly", {
  get() {
    throw new ReferenceError("WebAssembly is not available in probebook cells: its memory is outside the sandbox's memory limit");
  },
  configurable: false,
  enumerable: false,
});
