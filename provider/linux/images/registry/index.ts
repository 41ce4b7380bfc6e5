/** OCI distribution v2: pull images from registries into the image store. */
export { pullImage, type PullOptions, type PullProgress, type PullResult } from "./pull.js";
export { parseReference, formatReference, registryBaseUrl, type ImageReference } from "./reference.js";
export { RegistryClient, type ClientOptions } from "./client.js";
export { credentialsFor, type Credentials } from "./auth.js";
export { parsePlatform, formatPlatform, defaultPlatform, type Platform } from "./platform.js";
export { resolveTag } from "./resolve.js";
