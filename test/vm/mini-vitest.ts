/**
 * The few vitest calls the shared conformance suites use (describe, it, before/after hooks), for
 * running them where vitest is too heavy: inside the cgroup-v2 VM, where JS runs ~15x slower.
 * The VM bundle maps "vitest" to this file; run() executes what was registered, in order.
 */
type Hook = () => unknown;
interface Test { kind: "test"; name: string; fn: Hook }
interface Suite {
  kind: "suite"; name: string; items: (Test | Suite)[];
  beforeAll: Hook[]; afterAll: Hook[]; beforeEach: Hook[]; afterEach: Hook[];
}

const newSuite = (name: string): Suite => ({ kind: "suite", name, items: [], beforeAll: [], afterAll: [], beforeEach: [], afterEach: [] });
const top = newSuite("");
let current = top;

export function describe(name: string, body: () => void): void {
  const suite = newSuite(name);
  current.items.push(suite);
  const outer = current;
  current = suite;
  try {
    body();
  } finally {
    current = outer;
  }
}

export function it(name: string, fn: Hook, _timeout?: number): void {
  current.items.push({ kind: "test", name, fn });
}
export const test = it;
export const beforeAll = (fn: Hook) => void current.beforeAll.push(fn);
export const afterAll = (fn: Hook) => void current.afterAll.push(fn);
export const beforeEach = (fn: Hook) => void current.beforeEach.push(fn);
export const afterEach = (fn: Hook) => void current.afterEach.push(fn);

export interface RunResult { passed: number; failed: number }

async function attempt(label: string, fn: Hook, result: RunResult): Promise<boolean> {
  const started = Date.now();
  try {
    await fn();
    console.log(`ok - ${label} (${Date.now() - started} ms)`);
    result.passed++;
    return true;
  } catch (error) {
    console.log(`not ok - ${label}\n  ${String((error as Error).stack ?? error).split("\n").join("\n  ")}`);
    result.failed++;
    return false;
  }
}

async function runSuite(suite: Suite, path: string[], each: { before: Hook[]; after: Hook[] }, result: RunResult): Promise<void> {
  const names = suite.name ? [...path, suite.name] : path;
  const hooks = { before: [...each.before, ...suite.beforeEach], after: [...suite.afterEach, ...each.after] };
  for (const hook of suite.beforeAll) await hook();
  try {
    for (const item of suite.items) {
      if (item.kind === "suite") {
        await runSuite(item, names, hooks, result);
        continue;
      }
      await attempt([...names, item.name].join(" > "), async () => {
        for (const hook of hooks.before) await hook();
        try {
          await item.fn();
        } finally {
          for (const hook of hooks.after) await hook();
        }
      }, result);
    }
  } finally {
    for (const hook of suite.afterAll) await attempt(`${names.join(" > ")} > afterAll`, hook, { passed: 0, failed: 0 }).then((ok) => ok || result.failed++);
  }
}

export async function run(): Promise<RunResult> {
  const result = { passed: 0, failed: 0 };
  await runSuite(top, [], { before: [], after: [] }, result);
  return result;
}
