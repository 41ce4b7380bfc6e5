/**
 * The demo stack: a busybox web server with a volume, and a client that fetches from it by name
 * over a bridge network. `scripts/demo.sh` builds the busybox rootfs and applies this file.
 */
import { Container, Image, Network, Volume } from "cinfra";

const busybox = new Image("busybox", {
  // Built by scripts/make-busybox-rootfs.sh from Debian's busybox-static.
  rootfs: "./.rootfs/busybox",
  config: { env: { PATH: "/bin" }, cmd: ["sh"] },
});

const net = new Network("demo-net", { subnet: "10.89.0.0/24" });
const data = new Volume("demo-data");

new Container("web", {
  image: busybox,
  // Seed the page into the volume, then serve it.
  command: ["sh", "-c", "echo \"hello from web ($(hostname))\" > /data/index.html && exec httpd -f -p 8080 -h /data"],
  mounts: [{ volume: data, target: "/data" }],
  limits: { memory: "64Mi", cpus: 0.5, pids: 64 },
  networks: [net],
  // curl http://127.0.0.1:8080/ from the host
  ports: [{ host: 8080, container: 8080, hostIp: "127.0.0.1" }],
  init: true,
});

new Container("client", {
  image: busybox,
  command: ["sh", "-c", "while true; do echo \"$(date +%T) $(wget -qO- http://web:8080/ 2>&1)\"; sleep 2; done"],
  limits: { memory: "32Mi", pids: 16 },
  networks: [net],
  init: true,
});
