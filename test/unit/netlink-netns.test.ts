/** Orchestration of the namespace toggle, recorded (no kernel): every path must end back home. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SyscallError } from "../../core/errors.js";
import { createNetns, removeNetns } from "../../provider/linux/net/netns.js";
import { CLONE_NEWNET, MNT_DETACH, MS_BIND } from "../../provider/linux/sys/constants.js";
import { recordingSyscalls } from "../../provider/linux/sys/recording-syscalls.js";

const dir = mkdtempSync(join(tmpdir(), "cinfra-netns-unit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("createNetns orchestration", () => {
  it("unshares, bind-mounts the thread's namespace, and returns home through the saved fd", () => {
    const recorder = recordingSyscalls();
    recorder.failOn("socket", 24 /* EMFILE */);
    const path = join(dir, "a");
    expect(() => createNetns(path, recorder.syscalls)).toThrow(SyscallError);
    expect(recorder.calls).toEqual([
      { name: "open", args: [path, expect.any(Number), 0o444] },
      { name: "close", args: [100] },
      { name: "open", args: ["/proc/thread-self/ns/net", expect.any(Number)] },
      { name: "unshare", args: [CLONE_NEWNET] },
      { name: "mount", args: ["/proc/thread-self/ns/net", path, null, MS_BIND, null] },
      { name: "socket", args: [16, expect.any(Number), 0] },
      { name: "setns", args: [101, CLONE_NEWNET] },
      { name: "close", args: [101] },
      { name: "umount2", args: [path, MNT_DETACH] }, // undo of the bind mount
    ]);
  });

  it("does not enter a namespace when the pin file cannot be created", () => {
    const recorder = recordingSyscalls();
    recorder.failOn("open", 17 /* EEXIST */);
    expect(() => createNetns(join(dir, "b"), recorder.syscalls)).toThrow(expect.objectContaining({ call: "open", errno: 17 }));
    expect(recorder.calls.map((c) => c.name)).toEqual(["open"]);
  });

  it("removes idempotently: an unmounted or missing pin is fine, other errors are not", () => {
    const gone = recordingSyscalls();
    gone.failOn("umount2", 22 /* EINVAL: not a mount point */);
    expect(() => removeNetns(join(dir, "missing"), gone.syscalls)).not.toThrow();
    const busy = recordingSyscalls();
    busy.failOn("umount2", 1 /* EPERM */);
    expect(() => removeNetns(join(dir, "missing"), busy.syscalls)).toThrow(expect.objectContaining({ call: "umount2", errno: 1 }));
  });
});
