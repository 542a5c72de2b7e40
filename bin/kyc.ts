#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { KycStack } from '../lib/kyc-stack';
import { settingsFromContext } from '../lib/settings';

/**
 * CDK app: one KycStack per stage (`-c stage=prod`). Settings come from context (cdk.json or -c);
 * account and region default to placeholders so `npm run synth` works offline without credentials.
 * cdk-nag AwsSolutions runs on every synth: an unacknowledged finding fails it.
 */
const app = new App();
const settings = settingsFromContext((key) => app.node.tryGetContext(key));
new KycStack(app, `kyc-${settings.stage}`, {
  settings,
  description: `KYC verification service (${settings.stage})`,
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
