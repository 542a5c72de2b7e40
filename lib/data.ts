import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { GSI, KEY_ATTRIBUTES } from '../functions/adapters/aws/table-design';

/**
 * Persistence: one DynamoDB table (single-table design) and the KMS keys for data at rest.
 *
 * The key schema, GSIs and item layout are defined once in functions/adapters/aws/table-design.ts
 * (read its table: which entity uses which pk/sk/GSI/TTL) and imported here and by the DynamoDB adapter.
 * - pk/sk strings, 3 overloaded sparse GSIs (`gsi1`, `gsi2`, `sweep`), all projecting ALL;
 * - TTL on `ttl` (epoch seconds) for idempotency records, unused upload slots and expired client tokens;
 * - point-in-time recovery, customer-managed KMS key with rotation, retained on update or delete but not on a
 *   failed create (a rolled-back first deploy leaves nothing behind; decisions and the
 *   audit trail outlive a stack teardown).
 *
 * A second key (`secretsKey`) encrypts KYC-key signing secrets through the SecretBox port, so the
 * permission to read webhook signing secrets is separate from the permission to read table items.
 */
export class Data extends Construct {
  readonly table: dynamodb.TableV2;
  readonly tableKey: kms.Key;
  readonly secretsKey: kms.Key;
  /** HMAC key for the cross-verification identity hashes: MACs are computed inside KMS, the key never leaves it. */
  readonly identityMacKey: kms.Key;

  constructor(scope: Construct, id: string, props: { stage: string }) {
    super(scope, id);
    this.tableKey = new kms.Key(this, 'TableKey', {
      description: `KYC ${props.stage}: DynamoDB table encryption`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      pendingWindow: Duration.days(30),
    });
    this.secretsKey = new kms.Key(this, 'SecretsKey', {
      description: `KYC ${props.stage}: SecretBox for KYC-key signing secrets`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      pendingWindow: Duration.days(30),
    });

    // HMAC keys cannot rotate automatically; rotating would re-key (disconnect) every stored identity key anyway.
    this.identityMacKey = new kms.Key(this, 'IdentityMacKey', {
      description: `KYC ${props.stage}: HMAC of cross-verification identity keys`,
      keySpec: kms.KeySpec.HMAC_256,
      keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      pendingWindow: Duration.days(30),
    });

    const str = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });
    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: str(KEY_ATTRIBUTES.pk),
      sortKey: str(KEY_ATTRIBUTES.sk),
      billing: dynamodb.Billing.onDemand(),
      timeToLiveAttribute: KEY_ATTRIBUTES.ttl,
      // 35 days, stated rather than defaulted: the README promises erased data leaves the backups within it.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true, recoveryPeriodInDays: 35 },
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(this.tableKey),
      deletionProtection: props.stage === 'prod',
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      globalSecondaryIndexes: Object.values(GSI).map((g) => ({
        indexName: g.indexName,
        partitionKey: str(g.partitionKey),
        sortKey: str(g.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      })),
    });
  }
}
