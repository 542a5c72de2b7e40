/**
 * Synthesizes the KYC stack as `cdk deploy` would, with esbuild bundling, into a cloud assembly outside the
 * repository: the Lambda assets in it are the very files that would be uploaded, and nothing above them on
 * disk holds a node_modules folder (so a module a bundle forgot cannot be found by walking up to the repo's).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { KycStack } from '../../lib/kyc-stack';
import { kycSettingsSchema, type KycSettingsInput } from '../../lib/settings';
import { placeholderDashboardDir, placeholderHostedFlowDir } from '../cdk/synth';
import type { CfnTemplate } from './template-model';

export interface SynthesizedAssembly {
  /** Root of the harness's temporary world (the assembly lives in `<root>/cdk.out`). */
  root: string;
  outdir: string;
  template: CfnTemplate;
  /** Logical ids of the service's own Lambdas (not CDK's helper functions). */
  kycFunctionIds: string[];
  settings: ReturnType<typeof kycSettingsSchema.parse>;
}

/** Builds the stack with bundling on (no `aws:cdk:bundling-stacks` override) into a fresh temp directory. */
export function synthesizeWithAssets(settingsInput: KycSettingsInput): SynthesizedAssembly {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kyc-aws-e2e-'));
  const outdir = path.join(root, 'cdk.out');
  const app = new App({
    outdir,
    builtinCloudFormationValidation: false,
    // What the CLI sets: each function's asset directory in its metadata (aws:asset:path).
    context: { 'aws:cdk:enable-asset-metadata': true },
  });
  const settings = kycSettingsSchema.parse(settingsInput);
  const stack = new KycStack(app, 'kyc-e2e', {
    settings,
    hostedFlowDir: placeholderHostedFlowDir(),
    dashboardDir: placeholderDashboardDir(),
  });
  const assembly = app.synth();
  const artifact = assembly.getStackByName(stack.stackName);
  const template = JSON.parse(fs.readFileSync(path.join(outdir, artifact.templateFile), 'utf8')) as CfnTemplate;
  const kycFunctionIds = stack.kycFunctions().map((fn) => stack.getLogicalId(fn.node.defaultChild as never));
  return { root, outdir, template, kycFunctionIds, settings };
}
