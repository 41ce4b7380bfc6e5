// Generated from provider/pulumi/schema.json by provider/pulumi/codegen/generate-sdk.ts: do not edit.
import * as pulumi from "@pulumi/pulumi";
import type * as types from "./types.js";

/** The arguments of a Network. */
export interface NetworkArgs {
  /** IPv4 subnet, e.g. "10.89.0.0/24"; default: a free /24 from 10.213.0.0/16. */
  subnet?: pulumi.Input<string>;
  /** Bridge address; defaults to the first host address of the subnet. */
  gateway?: pulumi.Input<string>;
  /** Where automatic addresses come from (a CIDR inside the subnet). */
  ipRange?: pulumi.Input<string>;
  /** No route out of the network. */
  internal?: pulumi.Input<boolean>;
  /** Outbound NAT in cinfra's own nftables table. */
  masquerade?: pulumi.Input<boolean>;
  mtu?: pulumi.Input<number>;
}

/** A Linux bridge with its own subnet and address leases. */
export class Network extends pulumi.CustomResource {
  /** @internal */
  static readonly __pulumiType = "cinfra:index:Network";

  /** An existing Network's state, looked up by its id. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): Network {
    return new Network(name, undefined, { ...opts, id });
  }

  static override isInstance(obj: unknown): obj is Network {
    return typeof obj === "object" && obj !== null && (obj as { __pulumiType?: unknown }).__pulumiType === Network.__pulumiType;
  }

  /** The effective subnet. */
  declare public readonly subnet: pulumi.Output<string>;
  /** The effective gateway. */
  declare public readonly gateway: pulumi.Output<string>;
  /** Where automatic addresses come from (a CIDR inside the subnet). */
  declare public readonly ipRange: pulumi.Output<string | undefined>;
  /** No route out of the network. */
  declare public readonly internal: pulumi.Output<boolean | undefined>;
  /** Outbound NAT in cinfra's own nftables table. */
  declare public readonly masquerade: pulumi.Output<boolean | undefined>;
  declare public readonly mtu: pulumi.Output<number | undefined>;
  /** Name of the bridge interface. */
  declare public readonly bridge: pulumi.Output<string>;

  constructor(name: string, args?: NetworkArgs, opts?: pulumi.CustomResourceOptions);
  constructor(name: string, args: NetworkArgs | undefined, opts: pulumi.CustomResourceOptions & { id: pulumi.Input<pulumi.ID> });
  constructor(name: string, args?: NetworkArgs, opts: pulumi.CustomResourceOptions = {}) {
    const inputs: pulumi.Inputs = {
      subnet: args?.subnet,
      gateway: args?.gateway,
      ipRange: args?.ipRange,
      internal: args?.internal,
      masquerade: args?.masquerade,
      mtu: args?.mtu,
      bridge: undefined,
    };
    super(Network.__pulumiType, name, inputs, { version: "0.1.0", ...opts });
  }
}
