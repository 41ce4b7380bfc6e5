/** healthcheck props: Docker's two command forms, durations, property paths in errors, idempotent canonical form. */
import { describe, expect, it } from "vitest";
import { normalizeHealthcheck } from "../../core/kinds/container-lifecycle.js";
import { containerSchema } from "../../core/kinds/container.js";

const at = "container.web.healthcheck";

describe("healthcheck props", () => {
  it("turns CMD-SHELL into /bin/sh -c and durations into a canonical form that normalizes to itself", () => {
    const once = normalizeHealthcheck({ cmd: "CMD-SHELL curl -f localhost || exit 1", interval: 5, timeout: "1500ms", startPeriod: "1m30s", retries: 2 }, at);
    expect(once).toEqual({ cmd: ["/bin/sh", "-c", "curl -f localhost || exit 1"], interval: "5s", timeout: "1500ms", startPeriod: "90s", retries: 2 });
    expect(normalizeHealthcheck(once, at)).toEqual(once);
  });

  it("names the property at fault", () => {
    expect(() => normalizeHealthcheck({ cmd: "curl localhost" }, at)).toThrow(/container\.web\.healthcheck\.cmd.*CMD-SHELL/);
    expect(() => normalizeHealthcheck({ cmd: [] }, at)).toThrow(/healthcheck\.cmd/);
    expect(() => normalizeHealthcheck({ cmd: ["true"], interval: "soon" }, at)).toThrow(/healthcheck\.interval.*not a duration/);
    expect(() => normalizeHealthcheck({ cmd: ["true"], timeout: "10ms" }, at)).toThrow(/healthcheck\.timeout.*minimum/);
    expect(() => normalizeHealthcheck({ cmd: ["true"], retries: 0 }, at)).toThrow(/healthcheck\.retries/);
    expect(() => normalizeHealthcheck({ cmd: ["true"], intervall: "1s" }, at)).toThrow(/intervall/);
  });

  it("is updated live (the shim rereads its settings file)", () => {
    expect(containerSchema.updatable).toContain("healthcheck");
    expect(containerSchema.updatable).not.toContain("logging");
  });
});
