/**
 * Dockerfile builds on the real runtime: FROM a busybox image in the store, COPY, RUN (a file
 * written, a lower file deleted), ENV, ARG, WORKDIR, USER, CMD; a container from the result sees
 * all of it; an unchanged rebuild runs nothing and gives the same id; a changed COPY'd file reruns
 * from that step only; a failing RUN reports code and output and leaves nothing behind.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCgroupManager } from "../../provider/linux/cgroups/index.js";
import { buildImage, type BuildDeps } from "../../provider/linux/build/builder.js";
import { openImageStore } from "../../provider/linux/images/index.js";
import { makeBusyboxRootfs } from "../helpers/busybox-rootfs.js";
import { kernelObjectsNamed } from "../helpers/leaks.js";
import { RuntimeHarness } from "../helpers/runtime-harness.js";

const DOCKERFILE = `# syntax=docker/dockerfile:1
FROM cinfratest/busybox:base
ARG GREETING=hello
ENV APP_ENV=prod \\
    GREETING_ENV=\${GREETING}
WORKDIR /app
RUN echo "$GREETING from run" > /app/run.txt && rm /etc/motd
COPY conf/ /app/conf/
COPY app.txt ./
RUN cat app.txt > /app/copied.txt && chmod 0604 /app/copied.txt
USER nobody
EXPOSE 8080
LABEL org.example.name="build test"
CMD ["sh", "-c", "cat /app/app.txt"]
`;

describe("Dockerfile builds", () => {
  const h = new RuntimeHarness();
  const images = openImageStore(h.config.libRoot);
  const deps: BuildDeps = { config: h.config, images, cgroups: createCgroupManager({ root: h.config.cgroupRoot, parent: h.config.cgroupParent }) };
  const context = join(h.dir, "ctx");
  const build = (extra: { args?: Record<string, string>; file?: string } = {}) =>
    buildImage(deps, { context, ...extra }, { names: ["cinfratest/app:1"], pull: false });

  beforeAll(async () => {
    const rootfs = makeBusyboxRootfs(join(h.dir, "rootfs"));
    writeFileSync(join(rootfs, "etc/motd"), "from the base image\n");
    const base = await images.importRootfs(rootfs, { Env: ["PATH=/bin"] });
    images.setName(base.id, "docker.io/cinfratest/busybox:base");
    mkdirSync(join(context, "conf"), { recursive: true });
    writeFileSync(join(context, "Dockerfile"), DOCKERFILE);
    writeFileSync(join(context, "app.txt"), "version 1\n");
    writeFileSync(join(context, "conf/x.conf"), "key=value\n", { mode: 0o755 });
  });

  afterAll(async () => {
    expect(await h.teardown()).toEqual([]);
  });

  let firstId = "";

  it("builds, and a container from the image sees the files, env, workdir and user", async () => {
    const result = await build();
    expect(result.ran).toEqual([
      '[stage-0 4/11] RUN echo "$GREETING from run" > /app/run.txt && rm /etc/motd',
      "[stage-0 7/11] RUN cat app.txt > /app/copied.txt && chmod 0604 /app/copied.txt",
    ]);
    firstId = result.image.id;
    expect(result.image.names).toEqual(["docker.io/cinfratest/app:1"]);
    expect(result.image.config).toMatchObject({
      Env: ["PATH=/bin", "APP_ENV=prod", "GREETING_ENV=hello"], WorkingDir: "/app", User: "nobody",
      Cmd: ["sh", "-c", "cat /app/app.txt"], ExposedPorts: { "8080/tcp": {} }, Labels: { "org.example.name": "build test" },
    });
    const image = await h.create("image", "app", { ref: "cinfratest/app:1" });
    expect(image.id).toBe(firstId);
    const script = "cat run.txt copied.txt conf/x.conf; echo env=$APP_ENV/$GREETING_ENV; pwd; id -u; ls /etc/motd 2>&1; stat -c %a copied.txt conf/x.conf";
    const box = await h.create("container", "probe", { image: { $ref: "image.app" }, command: ["sh", "-c", script] } as never, [image]);
    await h.waitExit(box);
    expect(await h.logs(box)).toBe([
      "hello from run", "version 1", "key=value", "env=prod/hello", "/app", "65534",
      "ls: /etc/motd: No such file or directory", "604", "755", "",
    ].join("\n"));
    await h.delete(box);
  });

  it("an unchanged rebuild runs no step, adds no layer and gives the same image id", async () => {
    const layers = images.layers.list().length;
    const result = await build();
    expect(result.ran).toEqual([]);
    expect(result.cached).toBe(5); // WORKDIR's new directory, two RUNs, two COPYs
    expect(result.image.id).toBe(firstId);
    expect(images.layers.list().length).toBe(layers);
  });

  it("a changed COPY'd file reruns from its step only", async () => {
    writeFileSync(join(context, "app.txt"), "version 2\n");
    const result = await build();
    expect(result.cached).toBe(3);
    expect(result.ran).toEqual(["[stage-0 7/11] RUN cat app.txt > /app/copied.txt && chmod 0604 /app/copied.txt"]);
    expect(result.image.id).not.toBe(firstId);
    // The tag moved: only the new image carries it.
    expect(images.listImages().filter((i) => i.names.includes("docker.io/cinfratest/app:1")).map((i) => i.id)).toEqual([result.image.id]);
  });

  it("a build arg used by RUN reruns that RUN", async () => {
    const result = await build({ args: { GREETING: "hi" } });
    expect(result.ran.length).toBe(2);
    expect(result.image.config.Env).toContain("GREETING_ENV=hi");
  });

  it("multi-stage: ADD unpacks a local archive, COPY --from copies from stages, --target stops early", async () => {
    const tree = join(h.dir, "bundle");
    mkdirSync(join(tree, "sub"), { recursive: true });
    writeFileSync(join(tree, "a.txt"), "from the archive\n");
    writeFileSync(join(tree, "sub/b.txt"), "nested\n");
    execFileSync("tar", ["czf", join(context, "bundle.tar.gz"), "-C", tree, "."]);
    writeFileSync(join(context, "notes.gz"), gzipSync("not a tar\n")); // ADD copies a compressed non-archive as it is
    writeFileSync(join(context, "Dockerfile.multi"), [
      "FROM cinfratest/busybox:base AS builder",
      "WORKDIR /src",
      "ADD bundle.tar.gz /src/unpacked/",
      "ADD notes.gz /src/unpacked/",
      "RUN echo compiled > /src/out.bin && ln -s out.bin /src/link",
      "FROM scratch AS artifacts",
      "COPY --from=builder /src/out.bin /src/unpacked/ /data/",
      "FROM cinfratest/busybox:base",
      "COPY --from=artifacts /data /opt/data",
      "COPY --from=builder /src/link /opt/link",
      "WORKDIR /tmp",
      'CMD ["sh", "-c", "cat /opt/data/out.bin /opt/data/a.txt /opt/data/sub/b.txt; zcat /opt/data/notes.gz; readlink /opt/link"]',
      "",
    ].join("\n"));
    const file = join(context, "Dockerfile.multi");
    const early = await buildImage(deps, { context, file, target: "builder" }, { pull: false });
    expect(early.ran).toEqual(["[builder 4/4] RUN echo compiled > /src/out.bin && ln -s out.bin /src/link"]);
    expect(early.image.config.WorkingDir).toBe("/src");
    const full = await buildImage(deps, { context, file }, { names: ["cinfratest/multi:1"], pull: false });
    expect(full.ran).toEqual([]); // the builder stage comes from the cache
    expect(full.image.config.WorkingDir).toBe("/tmp"); // an existing directory: no layer
    expect(full.image.diffIds.length).toBe(3); // busybox + the two COPY --from
    const image = await h.create("image", "multi", { ref: "cinfratest/multi:1" });
    const box = await h.create("container", "multi-probe", { image: { $ref: "image.multi" } } as never, [image]);
    await h.waitExit(box);
    expect(await h.logs(box)).toBe("compiled\nfrom the archive\nnested\nnot a tar\nout.bin\n");
    await h.delete(box);
  });

  it("a failing RUN reports its step, exit code and output, and leaves no cgroup, mount or directory", async () => {
    writeFileSync(join(context, "Dockerfile.fail"), "FROM cinfratest/busybox:base\nRUN echo boom-output; sleep 100 & exit 3\n");
    let streamed = "";
    await expect(buildImage(deps, { context, file: join(context, "Dockerfile.fail") }, { pull: false, output: (text) => (streamed += text) })).rejects.toThrow(
      /\[stage-0 1\/1\] RUN echo boom-output; sleep 100 & exit 3: exited with code 3; last output:\nboom-output/,
    );
    expect(streamed).toBe("boom-output\n");
    expect(readdirSync(join(h.config.libRoot, "builds"))).toEqual([]);
    expect(readdirSync(join(h.config.runRoot, "builds"))).toEqual([]);
    expect((await deps.cgroups.list()).filter((id) => id.startsWith("build-"))).toEqual([]);
    expect(kernelObjectsNamed(`cinfra${h.tag}`)).toEqual([]);
    expect(existsSync(join(h.config.libRoot, "images/tmp")) ? readdirSync(join(h.config.libRoot, "images/tmp")) : []).toEqual([]);
  });
});
