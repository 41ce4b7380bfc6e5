/** The public entry stack programs import as `cinfra`. */
export { Container, Image, Network, Resource, Volume } from "./resources.js";
export { Config, config } from "../config/stack-config.js";
export type {
  ContainerArgs, ContainerLimits, ImageArgs, ImageConfigArgs, MountArgs, NetworkArgs, NetworkAttachment,
  ResourceOptions, VolumeArgs,
} from "./types.js";
