/**
 * What the harness reads from the synthesized CloudFormation template: every Lambda (asset, handler,
 * environment, role statements), the table, the queues and their redrive, the state machine, the REST API's
 * methods and authorizers, and the schedule. Values stay CloudFormation expressions until
 * {@link Resolver} turns them into the emulator resources' names and ARNs.
 */
import * as path from 'node:path';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
}

/** An IAM statement as the template writes it (before resolution). */
export interface CfnStatement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
}

export interface LambdaSpec {
  logicalId: string;
  description: string;
  /** Absolute path of the asset directory in cdk.out (what would be zipped and uploaded). */
  assetDir: string;
  /** `index.handler` style: file (without .js) and export name. */
  handlerFile: string;
  handlerExport: string;
  timeoutSeconds: number;
  memoryMb: number;
  architecture: string;
  environment: Record<string, unknown>;
  roleLogicalId: string;
  statements: CfnStatement[];
}

export interface ApiMethodSpec {
  httpMethod: string;
  /** Full resource path, e.g. /api/v1/external/kyc/verifications/{id}. */
  resourcePath: string;
  functionLogicalId: string;
  authorizationType: string;
  /** Logical id of the REQUEST authorizer's Lambda, for CUSTOM methods. */
  authorizerFunctionLogicalId: string | null;
  authorizerCacheSeconds: number;
  /** Identity sources of the authorizer (`method.request.header.X-Api-Key`). */
  identitySources: string[];
  /** `method.request.header.X-Api-Key` -> required. */
  requiredParameters: string[];
}

function asArray<T>(v: T | T[]): T[] {
  return Array.isArray(v) ? v : [v];
}

/** The logical id behind `{ Ref }` or `{ Fn::GetAtt: [id, attr] }`, or inside a Fn::Join that wraps one. */
export function referencedLogicalId(value: unknown): string | null {
  if (!value || typeof value !== 'object') return null;
  const o = value as Record<string, unknown>;
  if (typeof o.Ref === 'string') return o.Ref.startsWith('AWS::') ? null : o.Ref; // pseudo parameters
  const getAtt = o['Fn::GetAtt'] as [string, string] | undefined;
  if (getAtt) return getAtt[0];
  for (const v of Object.values(o)) {
    const found = Array.isArray(v) ? v.map(referencedLogicalId).find(Boolean) : referencedLogicalId(v);
    if (found) return found;
  }
  return null;
}

export class TemplateModel {
  constructor(
    readonly template: CfnTemplate,
    readonly outdir: string,
  ) {}

  resources(type: string): Array<[string, CfnResource]> {
    return Object.entries(this.template.Resources).filter(([, r]) => r.Type === type);
  }

  resource(logicalId: string): CfnResource {
    const r = this.template.Resources[logicalId];
    if (!r) throw new Error(`template has no resource ${logicalId}`);
    return r;
  }

  /** Every statement of every AWS::IAM::Policy attached to the role, plus its inline policies. */
  roleStatements(roleLogicalId: string): CfnStatement[] {
    const fromPolicies = this.resources('AWS::IAM::Policy').flatMap(([, p]) => {
      const props = p.Properties as { Roles: unknown[]; PolicyDocument: { Statement: CfnStatement[] } };
      return props.Roles.some((r) => referencedLogicalId(r) === roleLogicalId) ? props.PolicyDocument.Statement : [];
    });
    const role = this.resource(roleLogicalId).Properties as {
      Policies?: Array<{ PolicyDocument: { Statement: CfnStatement[] } }>;
      ManagedPolicyArns?: unknown[];
    };
    if (role.ManagedPolicyArns?.length) throw new Error(`${roleLogicalId}: managed policies are not modelled`);
    return [...fromPolicies, ...(role.Policies ?? []).flatMap((p) => p.PolicyDocument.Statement)];
  }

  lambda(logicalId: string): LambdaSpec {
    const fn = this.resource(logicalId);
    const p = fn.Properties as {
      Handler: string;
      Description?: string;
      Timeout?: number;
      MemorySize?: number;
      Architectures?: string[];
      Environment?: { Variables?: Record<string, unknown> };
      Role: unknown;
    };
    const assetPath = fn.Metadata?.['aws:asset:path'];
    if (typeof assetPath !== 'string') throw new Error(`${logicalId}: no aws:asset:path metadata`);
    const [file, exportName] = p.Handler.split('.') as [string, string];
    const roleLogicalId = referencedLogicalId(p.Role);
    if (!roleLogicalId) throw new Error(`${logicalId}: role is not in the template`);
    return {
      logicalId,
      description: p.Description ?? '',
      assetDir: path.resolve(this.outdir, assetPath),
      handlerFile: file,
      handlerExport: exportName,
      timeoutSeconds: p.Timeout ?? 3,
      memoryMb: p.MemorySize ?? 128,
      architecture: p.Architectures?.[0] ?? 'x86_64',
      environment: p.Environment?.Variables ?? {},
      roleLogicalId,
      statements: this.roleStatements(roleLogicalId),
    };
  }

  /** The one table (a TableV2 synthesizes AWS::DynamoDB::GlobalTable). */
  table(): [string, Record<string, unknown>] {
    const tables = [...this.resources('AWS::DynamoDB::GlobalTable'), ...this.resources('AWS::DynamoDB::Table')];
    if (tables.length !== 1) throw new Error(`expected one table, found ${tables.length}`);
    const [id, r] = tables[0]!;
    return [id, r.Properties ?? {}];
  }

  /** Full path of an AWS::ApiGateway::Resource, walking ParentId up to the RestApi root. */
  private resourcePath(resourceRef: unknown): string {
    const id = referencedLogicalId(resourceRef);
    if (!id) return '';
    const r = this.template.Resources[id];
    if (r?.Type !== 'AWS::ApiGateway::Resource') return ''; // the RestApi's RootResourceId
    const p = r.Properties as { ParentId: unknown; PathPart: string };
    return `${this.resourcePath(p.ParentId)}/${p.PathPart}`;
  }

  apiMethods(): ApiMethodSpec[] {
    return this.resources('AWS::ApiGateway::Method').map(([id, m]) => {
      const p = m.Properties as {
        HttpMethod: string;
        ResourceId: unknown;
        AuthorizationType?: string;
        AuthorizerId?: unknown;
        RequestParameters?: Record<string, boolean>;
        Integration?: { Type: string; Uri: unknown };
      };
      if (p.Integration?.Type !== 'AWS_PROXY') throw new Error(`${id}: not a Lambda proxy integration`);
      const functionLogicalId = referencedLogicalId(p.Integration.Uri);
      if (!functionLogicalId) throw new Error(`${id}: integration names no function`);
      const authorizerId = referencedLogicalId(p.AuthorizerId);
      const authorizer = authorizerId
        ? (this.resource(authorizerId).Properties as {
            Type: string;
            AuthorizerUri?: unknown;
            IdentitySource: string;
            AuthorizerResultTtlInSeconds?: number;
          })
        : null;
      return {
        httpMethod: p.HttpMethod,
        resourcePath: this.resourcePath(p.ResourceId) || '/',
        functionLogicalId,
        authorizationType: p.AuthorizationType ?? 'NONE',
        authorizerFunctionLogicalId:
          authorizer?.Type === 'REQUEST' ? referencedLogicalId(authorizer.AuthorizerUri) : null,
        authorizerCacheSeconds: authorizer?.AuthorizerResultTtlInSeconds ?? 300,
        identitySources: authorizer ? authorizer.IdentitySource.split(',').map((s) => s.trim()) : [],
        requiredParameters: Object.entries(p.RequestParameters ?? {})
          .filter(([, required]) => required)
          .map(([name]) => name),
      };
    });
  }

  /** The Lambda an EventBridge schedule targets, with its schedule expression. */
  scheduledTargets(): Array<{ ruleLogicalId: string; schedule: string; functionLogicalId: string }> {
    return this.resources('AWS::Events::Rule').flatMap(([id, r]) => {
      const p = r.Properties as { ScheduleExpression?: string; Targets?: Array<{ Arn: unknown }> };
      if (!p.ScheduleExpression) return [];
      return (p.Targets ?? []).map((t) => ({
        ruleLogicalId: id,
        schedule: p.ScheduleExpression!,
        functionLogicalId: referencedLogicalId(t.Arn)!,
      }));
    });
  }

  /** Event source mappings: queue logical id -> function, batch size, response types. */
  eventSourceMappings(): Array<{
    queueLogicalId: string;
    functionLogicalId: string;
    batchSize: number;
    reportBatchItemFailures: boolean;
  }> {
    return this.resources('AWS::Lambda::EventSourceMapping').map(([, r]) => {
      const p = r.Properties as {
        EventSourceArn: unknown;
        FunctionName: unknown;
        BatchSize?: number;
        FunctionResponseTypes?: string[];
      };
      return {
        queueLogicalId: referencedLogicalId(p.EventSourceArn)!,
        functionLogicalId: referencedLogicalId(p.FunctionName)!,
        batchSize: p.BatchSize ?? 10,
        reportBatchItemFailures: asArray(p.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
      };
    });
  }
}
