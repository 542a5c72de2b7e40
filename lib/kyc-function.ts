import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** Repository root (bin/, lib/, functions/ live here). */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

/**
 * esbuild options of every KYC Lambda: minified CJS with source maps. The Node.js 22 runtime ships AWS SDK
 * v3, so bundling it would only add cold-start time. `sharp` is native: it is never bundled, and only the
 * functions that decode images ship it (see {@link SHARP}).
 */
export const KYC_BUNDLING = {
  minify: true,
  sourceMap: true,
  target: 'node22',
  format: OutputFormat.CJS,
  externalModules: ['@aws-sdk/*', 'sharp'],
} as const satisfies BundlingOptions;

/** Settings every KYC Lambda shares: observability, log retention, runtime environment. */
export interface FunctionDefaults {
  /** Environment shared by every function (resource names, Powertools settings). */
  environment: Record<string, string>;
  logRetention: logs.RetentionDays;
}

/**
 * A native npm package that esbuild cannot bundle: left external and installed beside the bundle for the
 * Lambda's platform ({@link LAMBDA_NATIVE_TARGET}), whatever the deployer's machine is (macOS, Windows, ARM or
 * Alpine Linux): the deployer's own node_modules hold the deployer's build, never the Lambda's.
 */
export interface NativeModule {
  /** Package name imported by the code (made external). */
  name: string;
  /** Exact version, the one package-lock.json pins (so the Lambda runs what the tests ran). */
  version: string;
}

/** The platform the native packages are installed for: Lambda's x86_64 Amazon Linux (glibc). */
export const LAMBDA_NATIVE_TARGET = { os: 'linux', cpu: 'x64', libc: 'glibc' } as const;

/** The version of `name` that package-lock.json pins. */
export function lockedVersion(name: string, lockFile = path.join(PROJECT_ROOT, 'package-lock.json')): string {
  const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as { packages?: Record<string, { version?: string }> };
  const version = lock.packages?.[`node_modules/${name}`]?.version;
  if (!version) throw new Error(`${name} is not in ${lockFile}`);
  return version;
}

/** sharp (image decode/crop in the AWS check provider), with libvips in its per-platform packages. */
export const SHARP: NativeModule = { name: 'sharp', version: lockedVersion('sharp') };

/**
 * Shell commands (POSIX shells and cmd.exe alike) that install native packages into a bundle's node_modules
 * for `target`: npm selects the optional per-platform packages (sharp's `@img/sharp-linux-x64`, ...) by the
 * --os/--cpu/--libc flags instead of the running machine. Install scripts are skipped: sharp's only checks
 * the prebuilt binary, which would fail on a foreign platform.
 */
export function installNativeModulesCommands(
  outputDir: string,
  modules: readonly NativeModule[],
  target: { os: string; cpu: string; libc: string } = LAMBDA_NATIVE_TARGET,
): string[] {
  if (modules.length === 0) return [];
  const specs = modules.map((m) => `${m.name}@${m.version}`).join(' ');
  return [
    `npm install --prefix "${outputDir}" --no-save --no-package-lock --no-audit --no-fund --ignore-scripts ` +
      `--prefer-offline --os=${target.os} --cpu=${target.cpu} --libc=${target.libc} ${specs}`,
  ];
}

export interface KycFunctionProps {
  /** File name under functions/aws/entries/, without extension. */
  entry: string;
  description: string;
  memorySize: number;
  timeout: Duration;
  defaults: FunctionDefaults;
  /** Native packages to ship beside the bundle; the function then runs on x86_64 (see NativeModule). */
  nativeModules?: readonly NativeModule[];
}

/**
 * One Lambda of the service: a thin entry bundled by esbuild (minified, source maps, AWS SDK v3 left
 * to the runtime), Node.js 22 on arm64 (x86_64 when it ships native modules), X-Ray tracing, its own log group with retention, and the
 * shared environment. IAM is granted by the construct that owns the function, never here.
 */
export class KycFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: KycFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: props.defaults.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const native = props.nativeModules ?? [];
    // Own role instead of AWSLambdaBasicExecutionRole (which may write to any log group).
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `KYC ${id} Lambda`,
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    super(scope, id, {
      role,
      entry: path.join(PROJECT_ROOT, 'functions', 'aws', 'entries', `${props.entry}.ts`),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: native.length > 0 ? lambda.Architecture.X86_64 : lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        ...props.defaults.environment,
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        ...KYC_BUNDLING,
        externalModules: [...new Set([...KYC_BUNDLING.externalModules, ...native.map((m) => m.name)])],
        ...(native.length > 0
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (_inputDir: string, outputDir: string) =>
                  installNativeModulesCommands(outputDir, native),
              },
            }
          : {}),
      },
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime the project pins and tests (esbuild target node22); a newer runtime is adopted deliberately.',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray active tracing: xray:PutTraceSegments/PutTelemetryRecords have no resource-level permissions. Services without resource-level permissions (Rekognition DetectFaces/CompareFaces, Textract) are listed where a function needs them.',
    });
  }
}
