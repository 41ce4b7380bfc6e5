/** The public entry stack programs import as `cinfra`. */
export { Container, Image, Network, Resource, Volume } from "./resources.js";
export type {
  ContainerArgs, ContainerLimits, ImageArgs, ImageConfigArgs, MountArgs, NetworkArgs, NetworkAttachment,
  ResourceOptions, VolumeArgs,
} from "./types.js";
