/** OCI image config fields cinfra uses as container defaults. */
export interface ImageConfig {
  Env?: string[];
  Cmd?: string[];
  Entrypoint?: string[];
  WorkingDir?: string;
  User?: string;
  ExposedPorts?: Record<string, object>;
  StopSignal?: string;
  Labels?: Record<string, string>;
}

export interface ImageRecord {
  /** sha256 of the image config JSON (the config blob's digest), as `sha256:<hex>`. */
  id: string;
  config: ImageConfig;
  /** Chain IDs, bottom layer first. */
  layers: string[];
  diffIds: string[];
  /** References the image was imported or loaded under ("busybox:latest", a rootfs path, …). */
  names: string[];
  createdAt: string;
  os?: string;
  architecture?: string;
}

/** layers/<chainID>/meta.json: one unpacked layer. */
export interface LayerRecord {
  chainId: string;
  /** sha256 of the uncompressed tar. */
  diffId: string;
  /** Chain ID of the layer below, null for a bottom layer. */
  parent: string | null;
  /** Digest of the blob the layer was unpacked from (compressed, as distributed). */
  digest: string;
  mediaType: string;
  /** Bytes of the uncompressed tar, and its entry count. */
  size: number;
  entries: number;
  createdAt: string;
}

/** An OCI content descriptor (also what a registry returns for a blob). */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { os?: string; architecture?: string; variant?: string };
}

export interface OciManifest {
  schemaVersion?: number;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

/** Bounds on what an archive may make the store write: a hostile or broken layer fails early. */
export interface StoreLimits {
  /** Largest single file in a layer. */
  maxEntryBytes: number;
  /** Largest uncompressed layer tar (also bounds decompression bombs). */
  maxLayerBytes: number;
  maxEntries: number;
  /** Largest blob accepted when its size is not announced by a descriptor. */
  maxBlobBytes: number;
}

export const DEFAULT_LIMITS: StoreLimits = {
  maxEntryBytes: 32 * 2 ** 30,
  maxLayerBytes: 128 * 2 ** 30,
  maxEntries: 2_000_000,
  maxBlobBytes: 128 * 2 ** 30,
};

export const MEDIA_TYPES = {
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  ociLayer: "application/vnd.oci.image.layer.v1.tar",
  ociLayerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  ociLayerZstd: "application/vnd.oci.image.layer.v1.tar+zstd",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  dockerLayer: "application/vnd.docker.image.rootfs.diff.tar",
  dockerLayerGzip: "application/vnd.docker.image.rootfs.diff.tar.gzip",
} as const;
