import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { KycStack } from '../../lib/kyc-stack';
import { kycSettingsSchema, type KycSettingsInput } from '../../lib/settings';

/** A stand-in for hosted-flow/dist so the stack synthesizes before the hosted flow is built. */
export function placeholderHostedFlowDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kyc-hosted-flow-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>placeholder</title>');
  return dir;
}

/** A stand-in for dashboard/dist, likewise. */
export function placeholderDashboardDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kyc-dashboard-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>placeholder</title>');
  return dir;
}

/** A fast app: no esbuild bundling, no CloudFormation validation (see toolchain notes). */
export function fastApp(): App {
  return new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
}

export interface Synthesized {
  app: App;
  stack: KycStack;
  template: Template;
}

/** Builds the stack once; `nag` adds the AwsSolutions checks (synth then throws on any finding). */
export function synthKycStack(settings: KycSettingsInput = {}, opts: { nag?: boolean } = {}): Synthesized {
  const app = fastApp();
  const stack = new KycStack(app, 'kyc-test', {
    settings: kycSettingsSchema.parse(settings),
    hostedFlowDir: placeholderHostedFlowDir(),
    dashboardDir: placeholderDashboardDir(),
  });
  if (opts.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const template = Template.fromStack(stack);
  return { app, stack, template };
}
