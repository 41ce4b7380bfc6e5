/** The Image kind takes exactly one source, and source-specific properties only with their source. */
import { describe, expect, it } from "vitest";
import { imageSchema } from "../../core/kinds/image.js";

const normalize = (props: unknown) => imageSchema.normalize(props, "image.app");

describe("image sources", () => {
  it("accepts each source alone", () => {
    expect(normalize({ ref: "127.0.0.1:18400/a/b:1", pullPolicy: "always" })).toEqual({ ref: "127.0.0.1:18400/a/b:1", pullPolicy: "always" });
    expect(normalize({ ociLayout: "/x/layout" })).toEqual({ ociLayout: "/x/layout" });
    expect(normalize({ archive: "/x/save.tar" })).toEqual({ archive: "/x/save.tar" });
    expect(normalize({ rootfs: "/x/rootfs", config: { cmd: ["sh"] } })).toEqual({ rootfs: "/x/rootfs", config: { cmd: ["sh"] } });
  });

  it("names the properties when there is not exactly one source", () => {
    expect(() => normalize({})).toThrow(/image\.app: an image needs exactly one source of rootfs, ref, ociLayout, archive, build; none is given/);
    expect(() => normalize({ ref: "a/b", rootfs: "/r" })).toThrow(/rootfs and ref are given/);
  });

  it("rejects pullPolicy without ref, config without rootfs, and bad values", () => {
    expect(() => normalize({ archive: "/a.tar", pullPolicy: "always" })).toThrow(/image\.app\.pullPolicy: applies only to an image with ref/);
    expect(() => normalize({ ref: "a/b", config: {} })).toThrow(/image\.app\.config: applies only to a rootfs import/);
    expect(() => normalize({ ref: "a/b", pullPolicy: "never" })).toThrow(/image\.app\.pullPolicy/);
    expect(() => normalize({ ociLayout: "relative/dir" })).toThrow(/image\.app\.ociLayout/);
  });
});
