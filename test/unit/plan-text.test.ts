import { describe, expect, it } from "vitest";
import { plan } from "../../core/planner/plan.js";
import type { DesiredResource, StackState } from "../../core/model/types.js";
import { Container, Image } from "../../core/sdk/index.js";
import { renderPlan } from "../../cli/render/plan-text.js";
import { styleFor } from "../../cli/render/style.js";
import { declare } from "../helpers/declare.js";

const plain = styleFor({ isTTY: false } as NodeJS.WriteStream);
const program = (command: string[], memory: string) => declare(() => {
  const image = new Image("busybox", { rootfs: "/rootfs" });
  new Container("web", { image, command, limits: { memory } });
});
const stateOf = (desired: DesiredResource[]): StackState => ({
  stack: "s", lineage: "l", serial: 1, pending: [],
  resources: desired.map((d) => ({ urn: d.urn, kind: d.kind, name: d.name, id: "x", inputs: d.props, outputs: {}, dependsOn: d.dependsOn })),
});
const empty: StackState = { stack: "s", lineage: "l", serial: 0, resources: [], pending: [] };

describe("plan text", () => {
  it("shows creates with every attribute and computed outputs", () => {
    const text = renderPlan(plan(program(["httpd"], "64Mi"), empty), plain);
    expect(text).toContain("# container.web will be created");
    expect(text).toContain('+ limits.memory = "64Mi"');
    expect(text).toMatch(/\+ pid\s+= \(known after apply\)/);
    expect(text).toContain("Plan: 2 to add, 0 to change, 0 to destroy.");
  });

  it("shows in-place updates with before -> after", () => {
    const text = renderPlan(plan(program(["httpd"], "96Mi"), stateOf(program(["httpd"], "64Mi"))), plain);
    expect(text).toContain("# container.web will be updated in-place");
    expect(text).toContain('~ limits.memory = "64Mi" -> "96Mi"');
    expect(text).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
  });

  it("shows replacements element by element with the reason", () => {
    const text = renderPlan(plan(program(["httpd", "-p", "90"], "64Mi"), stateOf(program(["httpd", "-p", "80"], "64Mi"))), plain);
    expect(text).toContain("# container.web must be replaced");
    expect(text).toContain("-/+ resource \"container\" \"web\"");
    expect(text).toMatch(/- "80",\n\s+\+ "90",\n\s+\] # forces replacement/);
  });

  it("shows a prop that is also an output (an Image's digest) once", () => {
    const image = (digest: string) => declare(() => {
      new Image("app", { ref: "127.0.0.1:5000/app:1", pullPolicy: "always", digest } as never);
    });
    const text = renderPlan(plan(image(`sha256:${"b".repeat(64)}`), stateOf(image(`sha256:${"a".repeat(64)}`))), plain);
    expect(text).toContain("# image.app must be replaced");
    expect(text.match(/ digest /g)).toHaveLength(1);
  });

  it("says so when nothing changes", () => {
    expect(renderPlan(plan(program(["a"], "64Mi"), stateOf(program(["a"], "64Mi"))), plain)).toContain("No changes.");
  });
});
