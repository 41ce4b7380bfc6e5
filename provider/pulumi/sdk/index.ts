// Generated from provider/pulumi/schema.json by provider/pulumi/codegen/generate-sdk.ts: do not edit.
/** The cinfra Pulumi SDK: `import * as cinfra from "cinfra/pulumi"`. */
export { Image, type ImageArgs } from "./image.js";
export { Volume, type VolumeArgs } from "./volume.js";
export { Network, type NetworkArgs } from "./network.js";
export { Container, type ContainerArgs } from "./container.js";
export { Provider, type ProviderArgs } from "./provider.js";
export type * as types from "./types.js";
