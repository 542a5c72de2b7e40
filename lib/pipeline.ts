import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { pipelinePlan, planTasks } from '../functions/domain/pipeline-plan';
import { allowCapturesRead, allowCapturesWrite, allowEnqueueWebhooks, allowTable } from './access';
import type { Captures } from './captures';
import type { Data } from './data';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  FACE_API_MODULE,
  FACE_API_NETS,
  FACE_ASSET_DIRS,
  ONNX_RUNTIME_PACKAGES,
  TFJS_WASM_BINARIES,
} from '../functions/checks/local/face-model-files';
import {
  type AssetFile,
  KycFunction,
  LAMBDA_NATIVE_TARGET,
  PROJECT_ROOT,
  packageFile,
  SHARP,
  type FunctionDefaults,
} from './kyc-function';
import { buildPipelineDefinition } from './pipeline-state-machine';

export interface PipelineProps {
  stage: string;
  defaults: FunctionDefaults;
  data: Data;
  captures: Captures;
  webhookQueue: sqs.IQueue;
  webhookQueueKey: kms.IKey;
}

/** Names fixed at synth time, so other functions can reference them without a dependency cycle. */
export function pipelineNames(
  stack: Stack,
  stage: string,
): { stateMachineName: string; stateMachineArn: string; faceCollectionPrefix: string; faceCollectionsArn: string } {
  const stateMachineName = `kyc-${stage}-pipeline`;
  return {
    stateMachineName,
    stateMachineArn: `arn:${stack.partition}:states:${stack.region}:${stack.account}:stateMachine:${stateMachineName}`,
    faceCollectionPrefix: `kyc-${stage}-faces`,
    // One collection per organisation, `<prefix>-<orgId>`, created on first use by the check provider.
    faceCollectionsArn: `arn:${stack.partition}:rekognition:${stack.region}:${stack.account}:collection/kyc-${stage}-faces-*`,
  };
}

/**
 * What the liveness task's face-api observer reads from the asset's own disk (functions/checks/local/
 * face-model-files.ts): the weights of the nets it loads, not the package's others (12.8 of its 13.5 MB), the
 * tfjs wasm binaries, and onnxruntime for the nets' layers ({@link onnxRuntimeAssetFiles}). The JavaScript of
 * face-api and tfjs ({@link FACE_API_MODULE}) is bundled on its own.
 */
export function faceModelAssetFiles(): AssetFile[] {
  const weights = Object.values(FACE_API_NETS).flatMap((stem) =>
    [`${stem}-weights_manifest.json`, `${stem}.bin`].map((file) => ({
      to: `${FACE_ASSET_DIRS.weights}/${file}`,
      from: packageFile('@vladmandic/face-api', `model/${file}`),
    })),
  );
  const wasm = TFJS_WASM_BINARIES.map((file) => ({
    to: `${FACE_ASSET_DIRS.wasm}/${file}`,
    from: packageFile('@tensorflow/tfjs-backend-wasm', `dist/${file}`),
  }));
  return [...weights, ...wasm, ...onnxRuntimeAssetFiles()];
}

/**
 * onnxruntime-node as the face nets' runtime in the asset's node_modules (face-net-runtime.ts; 2.5-5x less CPU
 * than tfjs wasm): its and onnxruntime-common's CommonJS files and package.json, and the native binding with
 * libonnxruntime for the Lambda's platform only. The npm package carries every platform's binaries (288 MB,
 * over Lambda's 250 MB unzipped); these are ~46 MB, copied from the project's own node_modules like the
 * weights, whatever the deployer's OS (the package holds linux-x64's binaries everywhere). No install step:
 * onnxruntime-node's install script only fetches optional GPU libraries.
 */
export function onnxRuntimeAssetFiles(): AssetFile[] {
  const [main, common] = ONNX_RUNTIME_PACKAGES;
  const mainRoot = path.dirname(require.resolve(`${main}/package.json`, { paths: [PROJECT_ROOT] }));
  // onnxruntime-common's exports map hides its package.json: found from its entry, as onnxruntime-node finds it.
  let commonRoot = path.dirname(require.resolve(common, { paths: [mainRoot] }));
  const isRoot = (dir: string) =>
    existsSync(path.join(dir, 'package.json')) &&
    (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name === common;
  while (!isRoot(commonRoot)) {
    if (path.dirname(commonRoot) === commonRoot) throw new Error(`${common} not found from ${mainRoot}`);
    commonRoot = path.dirname(commonRoot);
  }
  const native = `bin/napi-v6/${LAMBDA_NATIVE_TARGET.os}/${LAMBDA_NATIVE_TARGET.cpu}`;
  const under = (root: string, dir: string, keep: (file: string) => boolean) =>
    readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
      .map((file) => `${dir}/${file.split(path.sep).join('/')}`)
      .filter(keep)
      .sort();
  // The CommonJS files and the package.json files that mark folders as CommonJS (onnxruntime-common's dist/cjs).
  const javascript = (file: string) => file.endsWith('.js') || file.endsWith('/package.json');
  const copies = (pkg: string, root: string, files: string[]): AssetFile[] =>
    files.map((file) => ({
      to: `node_modules/${pkg}/${file}`,
      from: path.relative(PROJECT_ROOT, path.join(root, file)).split(path.sep).join('/'),
    }));
  return [
    ...copies(main, mainRoot, [
      'package.json',
      ...under(mainRoot, 'dist', javascript),
      ...under(mainRoot, native, () => true),
    ]),
    ...copies(common, commonRoot, ['package.json', ...under(commonRoot, 'dist/cjs', javascript)]),
  ];
}

/**
 * The verification pipeline: one "pipeline task" Lambda (runs any plan task: document, liveness, face
 * match, risk, decision) and the Step Functions state machine generated from `pipelinePlan` by
 * {@link buildPipelineDefinition}. Duplicate-face search uses one Rekognition collection per organisation
 * (`kyc-<stage>-faces-<orgId>`), created at run time by the check provider, so not part of the stack.
 *
 * The task Lambda is the only function allowed to call Rekognition/Textract; it reads captures and
 * writes the portrait crop, but cannot delete objects.
 */
export class Pipeline extends Construct {
  readonly taskFunction: KycFunction;
  readonly stateMachine: sfn.StateMachine;
  /** ARN pattern of the per-organisation face collections. */
  readonly faceCollectionsArn: string;

  constructor(scope: Construct, id: string, props: PipelineProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const names = pipelineNames(stack, props.stage);
    const longestTask = Math.max(...planTasks(pipelinePlan).map((t) => t.timeoutSeconds));

    this.faceCollectionsArn = names.faceCollectionsArn;

    this.taskFunction = new KycFunction(this, 'TaskFunction', {
      entry: 'pipeline-task',
      description: 'KYC pipeline task (document, liveness, face match, risk, decision)',
      // One full vCPU (Lambda gives 1 vCPU at 1,769 MB): the liveness task's face-api runs on one thread over
      // every recording frame, its nets on onnxruntime: ~0.6 s of one core for a 23-frame recording and the
      // selfie, ~1.8 s on a new container with the models' load (was ~2.3 s and ~3.5 s with the nets on wasm,
      // docs/checks.md); 1,024 MB (~0.58 vCPU) would make that ~1 s and ~3 s. Memory in use was ~450-550 MB
      // with the models loaded on wasm; onnxruntime adds its 45 MB library and a copy of the weights.
      memorySize: 1769,
      // Step Functions cuts each task at its own TimeoutSeconds; the Lambda never outlives the longest.
      timeout: Duration.seconds(longestTask),
      defaults: props.defaults,
      // The AWS check provider decodes and crops images with sharp (native): installed for linux-x64.
      nativeModules: [SHARP],
      // The liveness recording is judged here with face-api (no paid API per frame): face-api and tfjs in their
      // own file, loaded by the liveness task only; their weights, wasm binaries and onnxruntime for linux-x64.
      separateModules: [{ specifier: FACE_API_MODULE }],
      assetFiles: faceModelAssetFiles(),
    });
    const fn = this.taskFunction;
    allowTable(fn, props.data.table, props.data.tableKey, 'readWrite');
    allowCapturesRead(fn, props.captures.bucket, props.captures.key);
    allowCapturesWrite(fn, props.captures.bucket, props.captures.key); // the document check stores the portrait crop
    allowEnqueueWebhooks(fn, props.webhookQueue, props.webhookQueueKey); // decide writes the outbox
    // The document check MACs the identity keys; nothing else may (the MACs are only useful with this key).
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['kms:GenerateMac'], resources: [props.data.identityMacKey.keyArn] }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        // These Rekognition and Textract actions have no resource-level permissions.
        actions: [
          'rekognition:DetectFaces',
          'rekognition:CompareFaces',
          'rekognition:GetFaceLivenessSessionResults',
          'textract:AnalyzeID',
          'textract:DetectDocumentText',
        ],
        resources: ['*'],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['rekognition:CreateCollection', 'rekognition:IndexFaces', 'rekognition:SearchFacesByImage'],
        resources: [this.faceCollectionsArn],
      }),
    );
    acknowledgeCollections(fn, stack, props.stage);

    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${names.stateMachineName}`,
      retention: props.defaults.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: names.stateMachineName,
      definitionBody: sfn.DefinitionBody.fromString(
        JSON.stringify(buildPipelineDefinition(pipelinePlan, fn.functionArn)),
      ),
      tracingEnabled: true,
      // Execution data is only ids, but keep it out of logs anyway: task errors may echo inputs.
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    // fromString cannot see the Lambda: grant the invoke explicitly (function ARN only, no versions).
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }),
    );
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Added by CDK for X-Ray tracing (xray:Put*) and CloudWatch Logs vended delivery (logs:*LogDelivery*); these actions have no resource-level permissions.',
    });
  }
}

/**
 * Erase indexed faces: list a verification's faces (records indexed before FaceIds were stored) and delete them
 * from this stage's per-organisation collections. Used by the retention purge and the integrator's redact.
 */
export function allowFaceErasure(fn: KycFunction, faceCollectionsArn: string, stage: string): void {
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['rekognition:ListFaces', 'rekognition:DeleteFaces'],
      resources: [faceCollectionsArn],
    }),
  );
  acknowledgeCollections(fn, Stack.of(fn), stage);
}

/** The per-organisation collections share the stage prefix; their names are only known at run time. */
export function acknowledgeCollections(fn: KycFunction, stack: Stack, stage: string): void {
  // cdk-nag names the finding after the resolved ARN, with the partition pseudo-parameter in angle brackets.
  const arnInFinding = `arn:<AWS::Partition>:rekognition:${stack.region}:${stack.account}:collection/kyc-${stage}-faces-*`;
  Validations.of(fn.role ?? fn).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${arnInFinding}]`,
    reason:
      'Rekognition collections are per organisation (kyc-<stage>-faces-<orgId>), created at run time; the wildcard covers only this stage prefix.',
  });
}
