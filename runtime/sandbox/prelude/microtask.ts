// Bare V8 has no queueMicrotask (it's a host API); cells and the prelude both
// use it, so provide it with the same semantics (errors surface as unhandled
// rejections rather than vanishing silently into a caught promise).

const g = globalThis as Record<string, unknown>;
g.queueMicrotask ??= (callback: () => void): void => {
  if (typeof callback !== "function") throw new TypeError("queueMicrotask: the callback must be a function");
  void Promise.resolve().then(callback);
};
