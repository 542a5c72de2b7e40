/**
 * Resolves CloudFormation intrinsics (Ref, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split) against the
 * emulator resources the harness created for each logical id. An unknown reference throws: an environment
 * variable or policy naming a resource the harness does not model must be noticed, not silently blanked.
 */
export interface PhysicalResource {
  ref: string;
  attrs: Record<string, string>;
}

export interface Pseudo {
  partition: string;
  region: string;
  accountId: string;
  stackId: string;
  stackName: string;
  urlSuffix: string;
}

export class Resolver {
  readonly physical = new Map<string, PhysicalResource>();

  constructor(readonly pseudo: Pseudo) {}

  set(logicalId: string, resource: PhysicalResource): void {
    this.physical.set(logicalId, resource);
  }

  private get(logicalId: string): PhysicalResource {
    const r = this.physical.get(logicalId);
    if (!r) throw new Error(`no emulator resource for ${logicalId}`);
    return r;
  }

  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (!value || typeof value !== 'object') return value;
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1) {
      const [k] = keys as [string];
      const arg = o[k];
      switch (k) {
        case 'Ref':
          return this.ref(arg as string);
        case 'Fn::GetAtt': {
          const [id, attr] = arg as [string, string];
          const v = this.get(id).attrs[attr];
          if (v === undefined) throw new Error(`${id} has no emulated attribute ${attr}`);
          return v;
        }
        case 'Fn::Join': {
          const [sep, parts] = arg as [string, unknown[]];
          return parts.map((p) => this.resolveString(p)).join(sep);
        }
        case 'Fn::Select': {
          const [index, list] = arg as [number, unknown];
          const items = this.resolve(list) as unknown[];
          return items[Number(index)];
        }
        case 'Fn::Split': {
          const [sep, source] = arg as [string, unknown];
          return this.resolveString(source).split(sep);
        }
        default:
          if (k.startsWith('Fn::')) throw new Error(`intrinsic ${k} is not modelled`);
      }
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, this.resolve(v)]));
  }

  resolveString(value: unknown): string {
    const v = this.resolve(value);
    if (typeof v !== 'string') throw new Error(`expected a string, got ${JSON.stringify(v)}`);
    return v;
  }

  private ref(name: string): string {
    switch (name) {
      case 'AWS::Partition':
        return this.pseudo.partition;
      case 'AWS::Region':
        return this.pseudo.region;
      case 'AWS::AccountId':
        return this.pseudo.accountId;
      case 'AWS::StackId':
        return this.pseudo.stackId;
      case 'AWS::StackName':
        return this.pseudo.stackName;
      case 'AWS::URLSuffix':
        return this.pseudo.urlSuffix;
      default:
        return this.get(name).ref;
    }
  }
}
