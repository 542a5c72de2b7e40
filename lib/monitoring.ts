import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS } from '../functions/adapters/aws/table-design';

export interface MonitoringProps {
  stage: string;
  alarmEmail?: string;
  restApi: apigw.RestApi;
  stateMachine: sfn.IStateMachine;
  webhookDeadLetterQueue: sqs.IQueue;
  /** The maintenance sweeper: its errors mean expiry, outbox re-drive or the retention purge fell behind. */
  sweeper: lambda.IFunction;
  /** The webhook dispatcher: its errors mean deliveries are not being attempted at all. */
  dispatcher: lambda.IFunction;
}

/** Share of API requests answered 5xx that raises the alarm. */
export const API_5XX_RATE_THRESHOLD = 0.05;
/** Share of failed webhook attempts that raises the alarm (with at least 5 attempts in the window). */
export const WEBHOOK_FAILURE_RATE_THRESHOLD = 0.25;

/**
 * Alarms to an SNS topic (KMS-encrypted, TLS only, optional email subscription): webhook DLQ not empty,
 * API 5xx rate, pipeline executions failed/timed out, webhook failure rate (custom metric the dispatcher
 * emits with Powertools Metrics: see METRICS in functions/adapters/aws/table-design.ts), and errors of the
 * sweeper and dispatcher Lambdas.
 */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: Record<
    'webhookDlq' | 'api5xx' | 'pipelineFailed' | 'webhookFailureRate' | 'sweeperErrors' | 'dispatcherErrors',
    cloudwatch.Alarm
  >;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const key = new kms.Key(this, 'TopicKey', {
      description: `KYC ${props.stage}: alarm topic`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // CloudWatch alarms publish to an encrypted topic only if the key lets them.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `KYC ${props.stage} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    const fiveMinutes = Duration.minutes(5);
    const webhookDlq = new cloudwatch.Alarm(this, 'WebhookDlqNotEmpty', {
      alarmDescription: 'Webhook deliveries exhausted their retries (messages in the DLQ).',
      metric: props.webhookDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: fiveMinutes,
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const api5xx = new cloudwatch.Alarm(this, 'Api5xxRate', {
      alarmDescription: `More than ${API_5XX_RATE_THRESHOLD * 100}% of API requests failed with 5xx.`,
      // The Average of 5XXError is the share of requests that returned 5xx.
      metric: props.restApi.metricServerError({ period: fiveMinutes, statistic: 'Average' }),
      threshold: API_5XX_RATE_THRESHOLD,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const pipelineFailed = new cloudwatch.Alarm(this, 'PipelineFailed', {
      alarmDescription:
        'Pipeline executions failed, timed out or were aborted (verifications may be stuck in_progress).',
      metric: new cloudwatch.MathExpression({
        expression: 'failed + timedOut + aborted',
        usingMetrics: {
          failed: props.stateMachine.metricFailed({ period: fiveMinutes, statistic: 'Sum' }),
          timedOut: props.stateMachine.metricTimedOut({ period: fiveMinutes, statistic: 'Sum' }),
          aborted: props.stateMachine.metricAborted({ period: fiveMinutes, statistic: 'Sum' }),
        },
        period: fiveMinutes,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const custom = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: METRICS.namespace,
        metricName,
        dimensionsMap: { service: METRICS.serviceName },
        period: Duration.minutes(15),
        statistic: 'Sum',
      });
    const webhookFailureRate = new cloudwatch.Alarm(this, 'WebhookFailureRate', {
      alarmDescription: `More than ${WEBHOOK_FAILURE_RATE_THRESHOLD * 100}% of webhook attempts failed (integrator endpoints down?).`,
      metric: new cloudwatch.MathExpression({
        // Ignore quiet periods: fewer than 5 attempts never alarm.
        expression: 'IF((failed + succeeded) >= 5, failed / (failed + succeeded), 0)',
        usingMetrics: {
          failed: custom(METRICS.webhookAttemptFailed),
          succeeded: custom(METRICS.webhookAttemptSucceeded),
        },
        period: Duration.minutes(15),
      }),
      threshold: WEBHOOK_FAILURE_RATE_THRESHOLD,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const functionErrors = (id: string, fn: lambda.IFunction, description: string) =>
      new cloudwatch.Alarm(this, id, {
        alarmDescription: description,
        metric: fn.metricErrors({ period: Duration.minutes(15), statistic: 'Sum' }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    const sweeperErrors = functionErrors(
      'SweeperErrors',
      props.sweeper,
      'The maintenance sweep failed or left items undone (expiry, outbox re-drive, retention purge); see its logs.',
    );
    const dispatcherErrors = functionErrors(
      'DispatcherErrors',
      props.dispatcher,
      'The webhook dispatcher Lambda failed (not an endpoint failure: the dispatcher itself); see its logs.',
    );

    this.alarms = { webhookDlq, api5xx, pipelineFailed, webhookFailureRate, sweeperErrors, dispatcherErrors };
    const action = new cwActions.SnsAction(this.topic);
    for (const alarm of Object.values(this.alarms)) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }
}
