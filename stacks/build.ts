/**
 * A Dockerfile build: the site image is built at apply (RUN steps in containers on cinfra's own
 * runtime), and rebuilt, with its container replaced, when a file under build/ changes.
 * Needs the busybox rootfs: `bash scripts/make-busybox-rootfs.sh stacks/.rootfs/busybox` (demo.sh does it).
 * Then `cinfra apply stacks/build.ts` and `curl http://127.0.0.1:8081/built.txt`.
 */
import { Container, Image, Network } from "cinfra";

const site = new Image("site", {
  // The context is this directory (stacks/.dockerignore keeps the stack programs out); the Dockerfile is relative to it.
  build: { context: ".", file: "build/Dockerfile", args: { GREETING: "hello" } },
});

const net = new Network("build-net", { subnet: "10.89.1.0/24" });

new Container("site", {
  image: site,
  networks: [net],
  ports: [{ host: 8081, container: 8080, hostIp: "127.0.0.1" }],
  init: true,
});
