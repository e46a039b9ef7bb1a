// The error a call throws, for exact assertions on its message and fields;
// fails the test when the call does not throw (or throws something else than `type`).
import { expect } from "vitest";

export function thrown<E = Error>(fn: () => unknown, type?: abstract new (...args: never[]) => E): E {
  try {
    fn();
  } catch (e) {
    if (type) expect(e).toBeInstanceOf(type);
    return e as E;
  }
  throw new Error(`${fn.toString().slice(0, 80)} did not throw`);
}
