/**
 * Runs the stack's Lambdas from their bundled assets, one child process per container (test/aws-e2e/
 * lambda-runtime.cjs), with the template's environment resolved to the emulator resources. A busy
 * container makes the next concurrent invocation start another (a cold start), as Lambda does. Every AWS
 * call a container makes is recorded with the function that made it, then checked against its role.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import type { IamRequest } from './iam';

export interface RecordedCall {
  functionId: string;
  client: string;
  command: string;
  input: Record<string, unknown>;
}

export interface FunctionRuntime {
  logicalId: string;
  functionArn: string;
  assetDir: string;
  handlerFile: string;
  handlerExport: string;
  timeoutSeconds: number;
  env: Record<string, string>;
}

/** An error the function returned (Lambda's errorType / errorMessage). */
export class LambdaFunctionError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
    readonly functionId: string,
  ) {
    super(message);
    this.name = errorType;
  }
}

interface Container {
  child: ChildProcess;
  busy: boolean;
  output: string[];
  /** The invocation it is running, if any (failed with Runtime.ExitError if the process dies). */
  inflight: string | null;
}

const RUNTIME = path.join(__dirname, 'lambda-runtime.cjs');
const SMITHY_CLIENT = require.resolve('@smithy/core/client');

export class LambdaHost {
  readonly calls: RecordedCall[] = [];
  /**
   * Fault injection: an invocation this returns true for runs its handler to completion (every write done),
   * then the runtime process dies before it can return the result, as a Lambda killed (out of memory, a
   * crash in native code) right after its work. The caller sees Runtime.ExitError, as Lambda reports it.
   */
  crashAfterHandler: ((functionId: string, event: unknown) => boolean) | null = null;
  /** Invocations crashed by {@link crashAfterHandler}, per function. */
  readonly crashes: Array<{ functionId: string; event: unknown }> = [];
  private readonly containers = new Map<string, Container[]>();
  private readonly pending = new Map<string, { resolve(v: unknown): void; reject(e: unknown): void }>();

  constructor(private readonly functions: Map<string, FunctionRuntime>) {}

  fn(logicalId: string): FunctionRuntime {
    const f = this.functions.get(logicalId);
    if (!f) throw new Error(`no function ${logicalId}`);
    return f;
  }

  byArn(arn: string): FunctionRuntime {
    for (const f of this.functions.values()) if (f.functionArn === arn) return f;
    throw new Error(`no function with ARN ${arn}`);
  }

  /** Output (stdout/stderr) of every container of a function, for diagnosing a failure. */
  logs(logicalId: string): string {
    return (this.containers.get(logicalId) ?? []).flatMap((c) => c.output).join('');
  }

  private async start(f: FunctionRuntime): Promise<Container> {
    const child = fork(RUNTIME, [], {
      cwd: f.assetDir,
      env: f.env,
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const container: Container = { child, busy: true, output: [], inflight: null };
    child.stdout?.on('data', (d: Buffer) => container.output.push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => container.output.push(d.toString()));
    const list = this.containers.get(f.logicalId) ?? [];
    list.push(container);
    this.containers.set(f.logicalId, list);
    child.on('exit', (code, signal) => {
      const id = container.inflight;
      const p = id ? this.pending.get(id) : undefined;
      if (!id || !p) return;
      this.pending.delete(id);
      p.reject(
        new LambdaFunctionError(
          'Runtime.ExitError',
          `Runtime exited with error: ${signal ? `signal: ${signal}` : `exit status ${code}`}`,
          f.logicalId,
        ),
      );
    });
    child.on('message', (m: { type: string; id?: string; ok?: boolean; value?: unknown; error?: never }) => {
      if (m.type === 'call') {
        const call = m as unknown as Omit<RecordedCall, 'functionId'>;
        this.calls.push({ functionId: f.logicalId, client: call.client, command: call.command, input: call.input });
      } else if (m.type === 'result' && m.id) {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (!p) return;
        if (m.ok) p.resolve(m.value);
        else {
          const e = m.error as unknown as { errorType: string; errorMessage: string };
          p.reject(new LambdaFunctionError(e.errorType, e.errorMessage, f.logicalId));
        }
      }
    });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: { type: string; error?: { errorType: string; errorMessage: string } }) => {
        if (m.type === 'ready') resolve();
        if (m.type === 'initError')
          reject(
            new LambdaFunctionError(
              `Runtime.ImportModuleError`,
              `${f.logicalId} init failed: ${m.error?.errorType}: ${m.error?.errorMessage}`,
              f.logicalId,
            ),
          );
      };
      child.on('message', onMessage);
      child.once('exit', (code) =>
        reject(new Error(`${f.logicalId} exited during init (${code}): ${container.output.join('')}`)),
      );
      child.send({
        type: 'init',
        smithyClientPath: SMITHY_CLIENT,
        taskRoot: f.assetDir,
        handlerFile: f.handlerFile,
        handlerExport: f.handlerExport,
      });
    });
    return container;
  }

  /** Invokes the function with an event, as the Lambda service would (JSON in, JSON out). */
  async invoke<T = unknown>(logicalId: string, event: unknown): Promise<T> {
    const f = this.fn(logicalId);
    let container = (this.containers.get(logicalId) ?? []).find((c) => !c.busy && c.child.connected);
    if (container) container.busy = true;
    else container = await this.start(f);
    const id = randomUUID();
    try {
      return (await new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          this.pending.delete(id);
          container.child.kill('SIGKILL');
          reject(new LambdaFunctionError('Sandbox.Timedout', `Task timed out after ${f.timeoutSeconds} s`, logicalId));
        }, f.timeoutSeconds * 1000);
        const settle =
          <A>(fn: (a: A) => void) =>
          (a: A) => {
            clearTimeout(timer);
            fn(a);
          };
        this.pending.set(id, { resolve: settle(resolve), reject: settle(reject) });
        container.inflight = id;
        const crash = this.crashAfterHandler?.(logicalId, event) ?? false;
        if (crash) this.crashes.push({ functionId: logicalId, event });
        container.child.send({
          type: 'invoke',
          id,
          event: JSON.parse(JSON.stringify(event)),
          requestId: randomUUID(),
          functionArn: f.functionArn,
          deadline: Date.now() + f.timeoutSeconds * 1000,
          crashAfterHandler: crash,
        });
      })) as T;
    } finally {
      container.inflight = null;
      container.busy = false;
    }
  }

  /** Records a call made on a function's behalf by an AWS service (event source polling, presigned POST). */
  recordOnBehalf(functionId: string, client: string, command: string, input: Record<string, unknown>): void {
    this.calls.push({ functionId, client, command, input });
  }

  async stop(): Promise<void> {
    const all = [...this.containers.values()].flat();
    await Promise.all(
      all.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.child.exitCode !== null || c.child.signalCode !== null) return resolve();
            c.child.once('exit', () => resolve());
            c.child.kill('SIGTERM');
          }),
      ),
    );
  }
}

/** Names the emulator resources by what IAM sees: ARNs from names, URLs, ids. */
export interface ArnLookup {
  tableArn(tableName: string): string;
  bucketArn(bucket: string): string;
  /** The KMS key a bucket encrypts objects with by default (SSE-KMS), if any. */
  bucketKeyArn(bucket: string): string | null;
  queueArn(queueUrl: string): string;
  queueKeyArn(queueUrl: string): string | null;
  kmsKeyArn(keyId: string): string;
  collectionArn(collectionId: string): string;
}

const SERVICE_PREFIX: Record<string, string> = {
  DynamoDBClient: 'dynamodb',
  S3Client: 's3',
  SQSClient: 'sqs',
  SFNClient: 'states',
  KMSClient: 'kms',
  RekognitionClient: 'rekognition',
  TextractClient: 'textract',
};

const TRANSACT_ACTION: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
  Get: 'GetItem',
};

/** S3 operations whose IAM action differs from the operation name. */
const S3_ACTION: Record<string, string> = {
  HeadObject: 'GetObject',
  ListObjectsV2: 'ListBucket',
  ListObjects: 'ListBucket',
  DeleteObjects: 'DeleteObject',
  HeadBucket: 'ListBucket',
};

/** The IAM authorizations one recorded SDK call needs (what AWS evaluates for it). */
export function iamRequestsFor(
  call: Pick<RecordedCall, 'client' | 'command' | 'input'>,
  arns: ArnLookup,
): IamRequest[] {
  const service = SERVICE_PREFIX[call.client];
  if (!service) throw new Error(`unmodelled client ${call.client}`);
  const op = call.command.replace(/Command$/, '');
  const input = call.input as Record<string, string | undefined> & {
    RequestItems?: string[];
    TransactItems?: Array<{ kind: string; TableName: string }>;
    DeleteKeys?: string[];
    S3Objects?: Array<{ Bucket: string; Key: string }>;
  };
  const s3Read = (bucket: string, key: string): IamRequest[] => {
    const keyArn = arns.bucketKeyArn(bucket);
    return [
      { action: 's3:GetObject', resource: `${arns.bucketArn(bucket)}/${key}` },
      ...(keyArn ? [{ action: 'kms:Decrypt', resource: keyArn }] : []),
    ];
  };
  switch (service) {
    case 'dynamodb': {
      if (input.TransactItems)
        return input.TransactItems.map((t) => ({
          action: `dynamodb:${TRANSACT_ACTION[t.kind] ?? t.kind}`,
          resource: arns.tableArn(t.TableName),
        }));
      if (input.RequestItems)
        return input.RequestItems.map((t) => ({ action: `dynamodb:${op}`, resource: arns.tableArn(t) }));
      const table = arns.tableArn(input.TableName!);
      return [{ action: `dynamodb:${op}`, resource: input.IndexName ? `${table}/index/${input.IndexName}` : table }];
    }
    case 's3': {
      const bucket = input.Bucket!;
      const action = `s3:${S3_ACTION[op] ?? op}`;
      if (op === 'GetObject' || op === 'HeadObject') return s3Read(bucket, input.Key!);
      if (op === 'PutObject' || op === 'CopyObject') {
        const keyArn = arns.bucketKeyArn(bucket);
        const source = op === 'CopyObject' ? decodeURIComponent(input.CopySource!).replace(/^\//, '') : null;
        const [srcBucket, ...srcKey] = source ? source.split('/') : [];
        return [
          { action: 's3:PutObject', resource: `${arns.bucketArn(bucket)}/${input.Key}` },
          ...(keyArn ? [{ action: 'kms:GenerateDataKey', resource: keyArn }] : []),
          ...(srcBucket ? s3Read(srcBucket, srcKey.join('/')) : []),
        ];
      }
      if (op === 'DeleteObjects')
        return (input.DeleteKeys ?? []).map((k) => ({ action, resource: `${arns.bucketArn(bucket)}/${k}` }));
      if (input.Key) return [{ action, resource: `${arns.bucketArn(bucket)}/${input.Key}` }];
      return [{ action, resource: arns.bucketArn(bucket) }];
    }
    case 'sqs': {
      const queue = arns.queueArn(input.QueueUrl!);
      const keyArn = arns.queueKeyArn(input.QueueUrl!);
      // An SSE-KMS queue: a sender needs GenerateDataKey (and Decrypt), a receiver Decrypt.
      const kms =
        keyArn && op === 'SendMessage'
          ? [
              { action: 'kms:GenerateDataKey', resource: keyArn },
              { action: 'kms:Decrypt', resource: keyArn },
            ]
          : keyArn && op === 'ReceiveMessage'
            ? [{ action: 'kms:Decrypt', resource: keyArn }]
            : [];
      return [{ action: `sqs:${op}`, resource: queue }, ...kms];
    }
    case 'states':
      return [{ action: `states:${op}`, resource: input.stateMachineArn ?? input.executionArn! }];
    case 'kms':
      return [{ action: `kms:${op}`, resource: arns.kmsKeyArn(input.KeyId!) }];
    case 'rekognition': {
      const reads = (input.S3Objects ?? []).flatMap((o) => s3Read(o.Bucket, o.Key));
      const resource = input.CollectionId ? arns.collectionArn(input.CollectionId) : '*';
      return [{ action: `rekognition:${op}`, resource }, ...reads];
    }
    case 'textract':
      return [
        { action: `textract:${op}`, resource: '*' },
        ...(input.S3Objects ?? []).flatMap((o) => s3Read(o.Bucket, o.Key)),
      ];
    default:
      throw new Error(`unmodelled service ${service}`);
  }
}
