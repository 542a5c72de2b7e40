import { Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { GSI } from '../functions/adapters/aws/table-design';

/**
 * Least-privilege policy helpers. Hand-written action lists instead of CDK's `grant*` (which add
 * wildcards such as `s3:GetObject*`, `kms:ReEncrypt*`, `s3:DeleteObject*`), so each Lambda role lists
 * exactly what its code calls and the CDK tests can assert what a role must NOT have.
 */

type Grantee = IConstruct & { addToRolePolicy(statement: iam.PolicyStatement): void; readonly role?: iam.IRole };

const TABLE_READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'];
const TABLE_WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

/** The table and each of its GSIs by name (no `index/*` wildcard). */
export function tableResources(table: dynamodb.ITableV2): string[] {
  return [table.tableArn, ...Object.values(GSI).map((g) => `${table.tableArn}/index/${g.indexName}`)];
}

/** Table items and indexes; the table key for the encryption DynamoDB does on the caller's behalf. */
export function allowTable(fn: Grantee, table: dynamodb.ITableV2, key: kms.IKey, mode: 'read' | 'readWrite'): void {
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: mode === 'read' ? TABLE_READ : [...TABLE_READ, ...TABLE_WRITE],
      resources: tableResources(table),
    }),
  );
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions:
        mode === 'read'
          ? ['kms:Decrypt', 'kms:DescribeKey']
          : ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
      resources: [key.keyArn],
    }),
  );
}

/** Only the key-lookup paths of the authorizer: read, plus UpdateItem for `keys.touch` (lastUsedAt). */
export function allowKeyLookup(fn: Grantee, table: dynamodb.ITableV2, key: kms.IKey): void {
  allowTable(fn, table, key, 'read');
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:UpdateItem'], resources: [table.tableArn] }));
  fn.addToRolePolicy(
    new iam.PolicyStatement({ actions: ['kms:Encrypt', 'kms:GenerateDataKey'], resources: [key.keyArn] }),
  );
}

const CAPTURE_OBJECTS_REASON =
  'Object-level access to the captures bucket: object keys are per-verification ids unknown at deploy time; no other bucket is reachable.';

/**
 * Read capture bytes (completeUpload validation, checks). ListBucket lets HeadObject on a missing key
 * answer 404 instead of 403 (`BlobStore.exists`).
 */
export function allowCapturesRead(fn: Grantee, bucket: s3.IBucket, key: kms.IKey): void {
  acknowledgeObjectWildcard(fn, bucket);
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('*')] }));
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [key.keyArn] }));
}

/** Write capture objects: presigned POSTs (the browser's upload runs with these permissions), portrait crops. */
export function allowCapturesWrite(fn: Grantee, bucket: s3.IBucket, key: kms.IKey): void {
  acknowledgeObjectWildcard(fn, bucket);
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects('*')] }));
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [key.keyArn] }));
}

/** Delete single capture objects: `complete` removes the slot's object, rejected bytes and replaced captures. */
export function allowCapturesDelete(fn: Grantee, bucket: s3.IBucket): void {
  acknowledgeObjectWildcard(fn, bucket);
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:DeleteObject'], resources: [bucket.arnForObjects('*')] }));
}

/** Retention purge: list a verification's prefix and delete its objects. */
export function allowCapturesPurge(fn: Grantee, bucket: s3.IBucket): void {
  acknowledgeObjectWildcard(fn, bucket);
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:DeleteObject'], resources: [bucket.arnForObjects('*')] }));
}

/** Enqueue `webhook.deliver` jobs on the KMS-encrypted queue. */
export function allowEnqueueWebhooks(fn: Grantee, queue: sqs.IQueue, key: kms.IKey): void {
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
  fn.addToRolePolicy(
    new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [key.keyArn] }),
  );
}

/**
 * Start a pipeline execution (`pipeline.run` jobs), and describe that state machine's executions: a start whose
 * name exists already asks whether the run ended without a decision (timed out or aborted).
 */
export function allowStartPipeline(fn: Grantee, stateMachineArn: string): void {
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachineArn] }));
  const executions = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:*`;
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executions] }));
  // cdk-nag names the finding after the resolved ARN, with the partition pseudo-parameter in angle brackets.
  const arnInFinding = executions.split(Stack.of(fn).partition).join('<AWS::Partition>');
  Validations.of(fn.role ?? fn).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${arnInFinding}]`,
    reason: "Executions are named <verificationId>-<attempt> at run time; only this state machine's executions.",
  });
}

/** SecretBox: encrypt (key minting) or decrypt (webhook signing) KYC-key signing secrets. */
export function allowSecrets(fn: Grantee, key: kms.IKey, use: 'encrypt' | 'decrypt'): void {
  fn.addToRolePolicy(
    new iam.PolicyStatement({ actions: [use === 'encrypt' ? 'kms:Encrypt' : 'kms:Decrypt'], resources: [key.keyArn] }),
  );
}

/** The policy lives on the function's role, so the finding is acknowledged there. */
function acknowledgeObjectWildcard(fn: Grantee, bucket: s3.IBucket): void {
  const bucketArn = Stack.of(fn).resolve(bucket.bucketArn) as { 'Fn::GetAtt'?: [string, string] };
  const logicalId = bucketArn['Fn::GetAtt']?.[0];
  if (!logicalId) return;
  Validations.of(fn.role ?? fn).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/*]`,
    reason: CAPTURE_OBJECTS_REASON,
  });
}

/**
 * Opening Rekognition Face Liveness sessions (applicant API, flows with useFaceLivenessSession). The action
 * has no resource-level permissions; the guest role of the identity pool holds StartFaceLivenessSession.
 */
export function allowCreateFaceLivenessSession(fn: Grantee): void {
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['rekognition:CreateFaceLivenessSession'], resources: ['*'] }));
}
