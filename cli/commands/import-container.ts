/**
 * `cinfra import container NAME --id ID [--write stack.ts]`: adopt a container that runs on this host
 * but is in no state (forgotten with `state rm`, or left by another state file) into the stack, with
 * the props its declaration will have, and print (or write) that declaration: the next plan is a no-op.
 */
import { CinfraError } from "../../core/errors.js";
import { RESOURCE_NAME, string } from "../../core/model/check.js";
import { urnOf, type Props, type ResourceState, type Urn } from "../../core/model/types.js";
import type { OperationContext } from "../../core/runtime.js";
import { defaultRuntimeConfig } from "../../provider/linux/config.js";
import type { ImageDefaults } from "../../provider/linux/resources/container-inputs.js";
import { imageOutputs } from "../../provider/linux/resources/image.js";
import { resolveUser } from "../../provider/linux/resources/user-lookup.js";
import { openRuntime, openStore, type GlobalOptions } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { readContainerFacts, type ContainerFacts } from "./import-container-facts.js";
import { declareContainer, declaredProps, type LiveSettings } from "./import-declaration.js";
import { renderContainer } from "./import-typescript.js";
import { writeDeclaration } from "./import-write.js";

export interface ImportFlags extends GlobalOptions {
  id: string;
  write?: string;
  lockTimeout?: number;
}

// Placeholders no real limit can equal: read() reports live values only for the limits it is asked about.
const ASK = { memory: "?", cpus: -1, pids: -1 };

function liveSettings(live: Props | undefined): LiveSettings {
  const limits = (live?.limits ?? {}) as Record<string, string | number>;
  const known = Object.fromEntries(Object.entries(limits).filter(([k, v]) => v !== ASK[k as keyof typeof ASK]));
  return {
    restart: typeof live?.restart === "string" ? live.restart : undefined,
    desiredState: typeof live?.desiredState === "string" ? live.desiredState : undefined,
    limits: known as LiveSettings["limits"],
  };
}

/** The user as the spec runs it, declared only when it differs from the image's. */
function userOf(facts: ContainerFacts, image: ImageDefaults): string | undefined {
  const { uid, gid } = facts.spec;
  const byImage = resolveUser(image.user, facts.lowerDirs);
  if (byImage.uid === uid && byImage.gid === gid) return undefined;
  return uid === gid ? String(uid) : `${uid}:${gid}`;
}

function dependsOnOf(props: Props): Urn[] {
  const out = new Set<Urn>();
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      const ref = (v as { $ref?: Urn }).$ref;
      if (typeof ref === "string") out.add(ref);
      else Object.values(v).forEach(walk);
    }
  };
  walk(props);
  return [...out].sort();
}

export async function importContainerCommand(name: string, flags: ImportFlags): Promise<number> {
  string(name, "container name", RESOURCE_NAME);
  const facts = readContainerFacts(defaultRuntimeConfig(), flags.id);
  const stack = flags.stack ?? facts.owner.stack;
  const urn = urnOf("container", name);
  const store = await openStore(flags);
  const runtime = openRuntime();
  try {
    const lock = await store.lock(stack, "import", { timeoutMs: flags.lockTimeout });
    try {
      for (const other of await store.stacks()) {
        const held = (await store.load(other)).resources.find((r) => r.kind === "container" && r.id === flags.id);
        if (held) throw new CinfraError("IMPORT_ALREADY_MANAGED", `container ${flags.id} is already managed as ${held.urn} in stack "${other}"`);
      }
      const state = await store.load(stack);
      const clash = state.resources.find((r) => r.urn === urn);
      if (clash) throw new CinfraError("IMPORT_NAME_TAKEN", `stack "${stack}" already has ${urn} (id ${clash.id}): pick another name or \`cinfra state rm ${name}\` first`);

      const ctx: OperationContext = { stack, deps: new Map(), progress: () => {} };
      const probe: ResourceState = {
        urn, kind: "container", name, id: flags.id, inputs: { restart: "no", desiredState: "running", limits: ASK }, outputs: {}, dependsOn: [],
      };
      const live = await runtime.operations("container").read(ctx, probe);
      if (!live) throw new CinfraError("IMPORT_NOT_FOUND", `container ${flags.id} is gone`);
      const image = imageOutputs(facts.image) as unknown as ImageDefaults;
      const args = declareContainer(facts, name, stack, state.resources, image, liveSettings(live.props), userOf(facts, image));
      const props = declaredProps(args, name);
      const comment = `Imported by \`cinfra import container ${name} --id ${flags.id}\` on ${new Date().toISOString().slice(0, 10)}`;
      // The program first: a declaration that cannot be written must not leave a row the next plan would delete.
      const text = flags.write ? await writeDeclaration(flags.write, name, args, comment) : renderContainer(name, args);
      await store.putResource(stack, { urn, kind: "container", name, id: flags.id, inputs: props, outputs: live.outputs, dependsOn: dependsOnOf(props) });
      if (facts.owner.name !== name || facts.owner.stack !== stack) {
        process.stderr.write(`Note: the container was created as ${facts.owner.stack}/${facts.owner.name}; it is now ${stack}/${name} in state.\n`);
      }
      process.stdout.write(`Imported ${urn} (id ${flags.id}) into stack "${stack}".\n`);
      process.stdout.write(flags.write
        ? `Added its declaration to ${flags.write}:\n\n${text}`
        : `Add this declaration to the program, so the next plan is a no-op:\n\n${text}`);
      return EXIT.ok;
    } finally {
      await lock.release();
    }
  } finally {
    await runtime.close();
    await store.close();
  }
}
