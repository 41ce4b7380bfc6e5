/**
 * Program-level tests of the SDK classes with @pulumi/pulumi's runtime mocks. The mocks hand every
 * registration to the provider's own Check and Create (over an in-memory runtime), so what a program
 * declares is exactly what the plugin would receive.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { ValidationError } from "../../core/errors.js";
import { CinfraProvider } from "../../provider/pulumi/provider.js";
import type { WireObject } from "../../provider/pulumi/wire-values.js";
import { FakeRuntime } from "../helpers/pulumi-fake-runtime.js";

const runtime = new FakeRuntime();
const provider = new CinfraProvider(() => runtime, {});
const registered: { type: string; name: string; inputs: WireObject }[] = [];
let cinfra: typeof import("../../provider/pulumi/sdk/index.js");

const urn = (type: string, name: string) => `urn:pulumi:dev::shop::${type}::${name}`;
const value = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));

beforeAll(async () => {
  await pulumi.runtime.setMocks({
    async newResource({ type, name, inputs, id }) {
      registered.push({ type, name, inputs });
      if (type === "pulumi:providers:cinfra") return { id: "provider-id", state: inputs };
      if (id) {
        const read = await provider.read(urn(type, name), id, {}, undefined);
        return { id: read?.id ?? "", state: read?.properties ?? {} };
      }
      const checked = provider.check(urn(type, name), inputs as WireObject);
      if (checked.failures.length) throw new Error(checked.failures.map((f) => `${f.property}: ${f.reason}`).join("; "));
      const created = await provider.create(urn(type, name), checked.inputs, false);
      return { id: created.id, state: created.properties };
    },
    call: () => ({}),
  }, "shop", "dev", false);
  cinfra = await import("../../provider/pulumi/sdk/index.js");
});

describe("the cinfra Pulumi SDK in a program", () => {
  it("wires images, networks, volumes and containers by id, with typed outputs", async () => {
    const image = new cinfra.Image("busybox", { rootfs: "/srv/busybox", config: { env: { PATH: "/bin" } } });
    const network = new cinfra.Network("backend", { subnet: "10.77.0.0/24" });
    const volume = new cinfra.Volume("data", { labels: { tier: "db" } });
    const web = new cinfra.Container("web", {
      image: image.id,
      command: ["httpd", "-f"],
      limits: { memory: "64Mi", cpus: 0.5 },
      networks: [{ network: network.id, aliases: ["web"] }],
      mounts: [{ volume: volume.id, target: "/data" }],
      restart: "always",
    });

    expect(await value(image.layers)).toEqual(["sha256:layer"]);
    expect(await value(network.bridge)).toBe("cinfrab123");
    expect(await value(volume.mountpoint)).toMatch(/_data$/);
    expect(await value(web.image)).toBe(await value(image.id));
    expect(await value(web.pid)).toBe(4242);
    expect(await value(web.limits)).toEqual({ memory: "64Mi", cpus: 0.5 });

    const create = runtime.calls.find((c) => c.op === "create" && c.kind === "container")!;
    expect(create.props).toMatchObject({
      image: { $ref: `image.${await value(image.id)}` },
      networks: [{ network: { $ref: `network.${await value(network.id)}` }, aliases: ["web"] }],
      mounts: [{ volume: { $ref: `volume.${await value(volume.id)}` }, target: "/data" }],
    });
  });

  it("registers under the package's type tokens, with a provider of its own when given", async () => {
    const local = new cinfra.Provider("local", { libRoot: "/var/lib/cinfra-local" });
    const v = new cinfra.Volume("scratch", {}, { provider: local });
    await value(v.id);
    expect(registered.map((r) => r.type)).toEqual(expect.arrayContaining([
      "cinfra:index:Image", "cinfra:index:Network", "cinfra:index:Volume", "cinfra:index:Container", "pulumi:providers:cinfra",
    ]));
    expect(registered.find((r) => r.type === "pulumi:providers:cinfra")?.inputs).toMatchObject({ libRoot: "/var/lib/cinfra-local" });
  });

  it("looks an existing resource up by id", async () => {
    const network = new cinfra.Network("existing", {});
    const id = await value(network.id);
    const found = cinfra.Network.get("found", id);
    expect(await value(found.bridge)).toBe("cinfrab123");
    expect(cinfra.Network.isInstance(found)).toBe(true);
    expect(cinfra.Volume.isInstance(found)).toBe(false);
  });

  it("refuses a missing required input at construction", () => {
    expect(() => new cinfra.Container("broken", {} as never)).toThrow(ValidationError);
  });
});
