/**
 * Test wiring for the crash test: with CINFRA_TEST_CRASH_AFTER=k the CLI SIGKILLs itself right after
 * the k-th mutating runtime call returns (create, update or delete), before state records its result:
 * the worst moment, an object made or removed that state does not know about yet. Unset: no effect.
 */
import type { KindOperations, Runtime } from "../../core/runtime.js";

export function withCrashHook<R extends Runtime>(runtime: R, env: NodeJS.ProcessEnv = process.env): R {
  const after = Number(env.CINFRA_TEST_CRASH_AFTER);
  if (!Number.isInteger(after) || after < 1) return runtime;
  let calls = 0;
  const counted = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } finally {
      if (++calls >= after) process.kill(process.pid, "SIGKILL");
    }
  };
  const wrap = (ops: KindOperations): KindOperations => ({
    create: (ctx, req) => counted(() => ops.create(ctx, req)),
    update: (ctx, prior, props) => counted(() => ops.update(ctx, prior, props)),
    delete: (ctx, prior) => counted(() => ops.delete(ctx, prior)),
    read: (ctx, prior) => ops.read(ctx, prior),
  });
  return new Proxy(runtime, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop === "operations") return (kind: Parameters<Runtime["operations"]>[0]) => wrap(target.operations(kind));
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
