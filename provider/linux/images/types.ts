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
  /** sha256 of the image config JSON, as `sha256:<hex>`. */
  id: string;
  config: ImageConfig;
  /** Chain IDs, bottom layer first. */
  layers: string[];
  diffIds: string[];
  names: string[];
  createdAt: string;
}
