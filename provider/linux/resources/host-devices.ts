/** Host devices passed into a container: their type and numbers, read from the host node itself. */
import { statSync } from "node:fs";
import { RuntimeError } from "../../../core/errors.js";
import type { DeviceSpec } from "../supervise/spec.js";

export interface PassedDevice {
  spec: DeviceSpec;
  type: "c" | "b";
  major: number;
  minor: number;
  permissions: string;
}

export function hostDevices(devices: { path: string; target?: string; permissions?: string }[] = []): PassedDevice[] {
  return devices.map((d) => {
    let st;
    try {
      st = statSync(d.path);
    } catch {
      throw new RuntimeError("DEVICE_MISSING", `host device ${d.path} does not exist`);
    }
    if (!st.isCharacterDevice() && !st.isBlockDevice()) throw new RuntimeError("NOT_A_DEVICE", `${d.path} is not a device node`);
    const type = st.isBlockDevice() ? "b" : "c";
    // rdev packs major and minor the way glibc's makedev does.
    const major = ((st.rdev >> 8) & 0xfff) | ((st.rdev >> 32) & ~0xfff);
    const minor = (st.rdev & 0xff) | ((st.rdev >> 12) & ~0xff);
    return {
      spec: { path: d.target ?? d.path, type, major, minor, mode: st.mode & 0o777 },
      type, major, minor, permissions: d.permissions ?? "rwm",
    };
  });
}
