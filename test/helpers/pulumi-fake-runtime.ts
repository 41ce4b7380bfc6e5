/** An in-memory Runtime for the provider's unit tests: records every call, keeps objects by id. */
import type { Kind, Props, ResourceState } from "../../core/model/types.js";
import type { CreateRequest, KindOperations, LiveResource, OperationContext, Runtime } from "../../core/runtime.js";

export interface RecordedCall {
  kind: Kind;
  op: "create" | "update" | "delete" | "read";
  id: string;
  props?: Props;
  deps?: string[];
  stack: string;
}

export class FakeRuntime implements Runtime {
  readonly calls: RecordedCall[] = [];
  readonly objects = new Map<string, { kind: Kind; props: Props; outputs: Props }>();
  /** Make the next create of this kind fail (after recording it). */
  failNextCreate: Kind | null = null;
  closed = false;

  operations(kind: Kind): KindOperations {
    return {
      create: async (ctx: OperationContext, req: CreateRequest) => {
        this.calls.push({ kind, op: "create", id: req.id, props: req.props, deps: [...ctx.deps.keys()], stack: ctx.stack });
        if (this.failNextCreate === kind) {
          this.failNextCreate = null;
          throw new Error(`${kind} create failed`);
        }
        const id = kind === "image" ? `sha256:${"a".repeat(64)}` : req.id;
        const outputs = this.outputsFor(kind, id, req.props);
        this.objects.set(id, { kind, props: req.props, outputs });
        return { id, outputs };
      },
      update: async (ctx: OperationContext, prior: ResourceState, props: Props) => {
        this.calls.push({ kind, op: "update", id: prior.id, props, stack: ctx.stack });
        const object = this.objects.get(prior.id);
        if (object) object.props = props;
        return prior.outputs;
      },
      delete: async (ctx: OperationContext, prior: ResourceState) => {
        this.calls.push({ kind, op: "delete", id: prior.id, props: prior.inputs, stack: ctx.stack });
        this.objects.delete(prior.id);
      },
      read: async (ctx: OperationContext, prior: ResourceState): Promise<LiveResource | null> => {
        this.calls.push({ kind, op: "read", id: prior.id, stack: ctx.stack });
        const object = this.objects.get(prior.id);
        return object ? { id: prior.id, props: object.props, outputs: object.outputs } : null;
      },
    };
  }

  private outputsFor(kind: Kind, id: string, props: Props): Props {
    switch (kind) {
      case "image": return { id, layers: ["sha256:layer"], env: (props.config as Props | undefined)?.env ?? {} };
      case "volume": return { id, mountpoint: `/var/lib/cinfra/volumes/${id}/_data` };
      case "network": return { id, bridge: "cinfrab123", subnet: (props.subnet as string | undefined) ?? "10.213.0.0/24", gateway: "10.213.0.1" };
      case "container": return { id, pid: 4242, ipAddresses: {}, startedAt: "2024-01-01T00:00:00.000Z" };
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
