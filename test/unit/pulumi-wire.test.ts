import { describe, expect, it } from "vitest";
import { corePath, formatPath, parsePath, resolvePath } from "../../provider/pulumi/property-path.js";
import {
  containsUnknown, isSecret, secret, UNKNOWN, unknownPaths, unwrapSecrets, wrapDerivedSecrets, wrapSecrets,
} from "../../provider/pulumi/wire-values.js";

describe("secrets and unknowns on the wire", () => {
  it("unwraps secrets, remembering their paths and values", () => {
    const wire = { env: { TOKEN: secret("abc123456"), MODE: "x" }, command: [secret("sh"), "-c"] };
    const { plain, secretPaths, secretValues } = unwrapSecrets(wire);
    expect(plain).toEqual({ env: { TOKEN: "abc123456", MODE: "x" }, command: ["sh", "-c"] });
    expect(secretPaths).toEqual([["env", "TOKEN"], ["command", 0]]);
    expect(secretValues).toEqual(["abc123456", "sh"]);
  });

  it("wraps the same paths again, or the nearest ancestor that survived normalization", () => {
    const out = wrapSecrets({ env: { TOKEN: "abc" }, tmpfs: [{ target: "/run" }] }, [["env", "TOKEN"], ["tmpfs", 0, "target", 3], ["gone", "x"]]);
    expect(isSecret((out.env as Record<string, unknown>).TOKEN)).toBe(true);
    expect(isSecret((out.tmpfs as unknown[])[0])).toBe(false);
    expect(isSecret(((out.tmpfs as Record<string, unknown>[])[0]).target)).toBe(true);
    expect(out.gone).toBeUndefined();
  });

  it("marks outputs that repeat a secret input as secret", () => {
    const out = wrapDerivedSecrets({ env: { TOKEN: "s3cret-value" }, cmd: ["run", "--token=s3cret-value"], user: "root" }, ["s3cret-value"]);
    expect(isSecret((out.env as Record<string, unknown>).TOKEN)).toBe(true);
    expect(isSecret((out.cmd as unknown[])[1])).toBe(true);
    expect(out.user).toBe("root");
  });

  it("finds unknowns", () => {
    expect(containsUnknown({ a: [1, { b: UNKNOWN }] })).toBe(true);
    expect(unknownPaths({ image: UNKNOWN, networks: [{ network: UNKNOWN }] })).toEqual([["image"], ["networks", 0, "network"]]);
  });
});

describe("property paths", () => {
  it("resolves dotted core paths against the values, keeping keys that contain dots", () => {
    const props = { sysctls: { "net.ipv4.ip_forward": "1" }, limits: { memory: "64Mi" }, networks: [{ ipv4: "10.0.0.2" }] };
    expect(formatPath(resolvePath("sysctls.net.ipv4.ip_forward", [props]))).toBe('sysctls["net.ipv4.ip_forward"]');
    expect(formatPath(resolvePath("limits.memory", [props]))).toBe("limits.memory");
    expect(formatPath(resolvePath("networks[0].ipv4", [props]))).toBe("networks[0].ipv4");
    expect(formatPath(resolvePath("labels.app/name", [{}, { labels: { "app/name": "x" } }]))).toBe('labels["app/name"]');
  });

  it("parses Pulumi paths back to segments and core paths", () => {
    expect(parsePath('sysctls["net.core.somaxconn"]')).toEqual(["sysctls", "net.core.somaxconn"]);
    expect(parsePath("networks[1].aliases")).toEqual(["networks", 1, "aliases"]);
    expect(corePath(parsePath("limits.memory"))).toBe("limits.memory");
  });
});
