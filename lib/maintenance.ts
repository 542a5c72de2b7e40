import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { allowCapturesPurge, allowEnqueueWebhooks, allowStartPipeline, allowTable } from './access';
import type { Captures } from './captures';
import type { Data } from './data';
import { KycFunction, type FunctionDefaults } from './kyc-function';
import { allowFaceErasure } from './pipeline';

export interface MaintenanceProps {
  stage: string;
  defaults: FunctionDefaults;
  data: Data;
  captures: Captures;
  webhookQueue: sqs.IQueue;
  webhookQueueKey: kms.IKey;
  /** ARN pattern of the per-organisation face collections. */
  faceCollectionsArn: string;
  /** The pipeline's state machine: the sweep re-starts (or decides) submitted attempts left undecided. */
  stateMachineArn: string;
  /** How often the sweep runs. */
  every: Duration;
}

/**
 * Scheduled maintenance: expire sessions past their link lifetime (their outcome webhooks are enqueued),
 * purge captures and faces of verifications past retention (`purgeAfter`), and re-enqueue outbox
 * deliveries still pending after a crash. Deletes captures and faces in bulk, as the integrator's redact does.
 */
export class Maintenance extends Construct {
  readonly sweeper: KycFunction;
  readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: MaintenanceProps) {
    super(scope, id);
    this.sweeper = new KycFunction(this, 'Sweeper', {
      entry: 'maintenance',
      description: 'KYC maintenance: expiry sweep, retention purge, outbox re-drive',
      memorySize: 256,
      timeout: Duration.minutes(5),
      defaults: props.defaults,
    });
    allowTable(this.sweeper, props.data.table, props.data.tableKey, 'readWrite');
    allowCapturesPurge(this.sweeper, props.captures.bucket);
    allowEnqueueWebhooks(this.sweeper, props.webhookQueue, props.webhookQueueKey);
    allowStartPipeline(this.sweeper, props.stateMachineArn);
    allowFaceErasure(this.sweeper, props.faceCollectionsArn, props.stage);

    this.schedule = new events.Rule(this, 'Schedule', {
      description: 'KYC maintenance sweep',
      schedule: events.Schedule.rate(props.every),
      targets: [new targets.LambdaFunction(this.sweeper, { retryAttempts: 2 })],
    });
  }
}
