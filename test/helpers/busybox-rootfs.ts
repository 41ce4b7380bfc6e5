import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, copyFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Busybox from Debian's busybox-static: one static binary, so a rootfs is one file plus links. */
export const BUSYBOX = "/bin/busybox";

/** Build a minimal rootfs at `dir`: /bin/busybox, one symlink per applet, /etc/passwd, /tmp. */
export function makeBusyboxRootfs(dir: string): string {
  if (!existsSync(BUSYBOX)) throw new Error("busybox-static is not installed (apt-get install -y busybox-static)");
  for (const d of ["bin", "etc", "tmp", "proc", "sys", "dev", "root"]) mkdirSync(join(dir, d), { recursive: true });
  copyFileSync(BUSYBOX, join(dir, "bin/busybox"));
  execFileSync("chmod", ["0755", join(dir, "bin/busybox")]);
  const applets = execFileSync(BUSYBOX, ["--list"], { encoding: "utf8" }).split("\n").filter(Boolean);
  for (const applet of applets) {
    if (applet !== "busybox") symlinkSync("busybox", join(dir, "bin", applet));
  }
  writeFileSync(join(dir, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n");
  writeFileSync(join(dir, "etc/group"), "root:x:0:\nnogroup:x:65534:\n");
  return dir;
}

/** A per-run tag for kernel object names: `cinfra` + this, unique enough per test run. */
export function runTag(): string {
  return Math.random().toString(36).slice(2, 5);
}
