import type { Command } from "commander";
import type { Runner } from "../runner.js";
import { imagesBuild } from "./images-build.js";
import { imagesImport, imagesInspect, imagesLoad, imagesLs, imagesPrune, imagesPull, imagesRm, imagesSave } from "./images-commands.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `cinfra images …`: the local image store. */
export function registerImagesCommands(program: Command, run: Runner): void {
  const images = program.command("images").description("the local image store: list, pull, load, import, build, inspect, save, remove, prune");
  images.command("ls").description("list stored images").option("--json", "machine-readable output")
    .action((opts) => run(imagesLs(opts)));
  images.command("pull").argument("<ref>", "host[:port]/repo[:tag] or ...@sha256:...")
    .description("pull an image from a registry (http only for 127.0.0.1/localhost)")
    .option("--platform <os/arch[/variant]>", "platform to select from a multi-platform image (default linux/<this machine>)")
    .action((ref: string, opts) => run(imagesPull(ref, opts)));
  images.command("load").argument("<path>", "OCI image layout (directory or tar) or docker-save archive")
    .description("load the images of an archive for this platform")
    .action((path: string) => run(imagesLoad(path)));
  images.command("import").argument("<path>", "rootfs directory or tarball (.tar, .tar.gz, .tar.zst)")
    .description("import a root filesystem as a one-layer image, like docker import")
    .action((path: string) => run(imagesImport(path)));
  images.command("build").argument("<context>", "build context directory (.dockerignore honoured)")
    .description("build an image from a Dockerfile: RUN steps run in containers on cinfra's runtime (no network), steps cached")
    .option("-t, --tag <name:tag>", "name the image (repeatable; moved from any image that had it)", collect)
    .option("-f, --file <path>", "the Dockerfile (default: CONTEXT/Dockerfile)")
    .option("--build-arg <NAME=VALUE>", "set a build arg (repeatable; NAME alone takes it from the environment)", collect)
    .option("--target <stage>", "build this stage (default: the last)")
    .option("--no-pull", "fail instead of pulling a FROM image the store does not have")
    .action((context: string, opts) => run(imagesBuild(context, opts)));
  images.command("rm").argument("<image>", "image id, id prefix or name")
    .description("remove an image no container or Image resource uses, and the layers only it used")
    .action((key: string) => run(imagesRm(key)));
  images.command("inspect").argument("<image>", "image id, id prefix or name")
    .description("the image's id, names, digests, layers and config as JSON")
    .action((key: string) => run(imagesInspect(key)));
  images.command("save").argument("<image>", "image id, id prefix or name")
    .description("write an image as an OCI archive (oci-layout tar with a docker-save manifest.json)")
    .requiredOption("-o, --output <file.tar>", "archive to write")
    .action((key: string, opts) => run(imagesSave(key, opts)));
  images.command("prune").description("remove layers and blobs no image uses")
    .action(() => run(imagesPrune()));
}
