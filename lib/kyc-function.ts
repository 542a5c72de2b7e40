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
  // onnxruntime-node: the local runtime of the OCR and face nets; Lambdas never load it (face-model-files.ts).
  externalModules: ['@aws-sdk/*', 'sharp', 'onnxruntime-node'],
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

/**
 * A file the bundle reads from its own folder at run time (model weights, wasm binaries): platform-independent
 * data, copied from the project into the asset after bundling by plain Node (lib/bundling/copy-asset-files.cjs),
 * so it works offline and on any deployer's OS.
 */
export interface AssetFile {
  /** Path in the asset, '/'-separated (e.g. `face-api-model/ssd_mobilenetv1_model.bin`). */
  to: string;
  /** Path in the project, '/'-separated (e.g. `node_modules/@vladmandic/face-api/model/ssd_mobilenetv1_model.bin`). */
  from: string;
}

/** The project-relative, '/'-separated path of `file` inside an installed package (resolved from the project). */
export function packageFile(pkg: string, file: string): string {
  const dir = path.dirname(require.resolve(`${pkg}/package.json`, { paths: [PROJECT_ROOT] }));
  return path.relative(PROJECT_ROOT, path.join(dir, file)).split(path.sep).join('/');
}

/** The command (POSIX shells and cmd.exe alike) that copies `files` from the project at `inputDir` into `outputDir`. */
export function copyAssetFilesCommands(inputDir: string, outputDir: string, files: readonly AssetFile[]): string[] {
  if (files.length === 0) return [];
  const script = `${inputDir}/lib/bundling/copy-asset-files.cjs`;
  return [`node "${script}" "${outputDir}" "${inputDir}" ${files.map((f) => `"${f.to}=${f.from}"`).join(' ')}`];
}

/**
 * A large JavaScript module the function needs on some invocations only (face-api with tfjs: 2.4 MB minified).
 * Bundled into the handler, every cold start would parse it, and its source map (`--enable-source-maps`):
 * +0.9 s measured on the pipeline task. So it is left external in the handler's bundle and bundled on its own,
 * minified and without a source map, into the asset's node_modules (lib/bundling/bundle-module.cjs), where
 * the code's `require` finds it on first use.
 */
export interface SeparateModule {
  /** The package file the code requires, e.g. `@vladmandic/face-api/dist/face-api.node-wasm.js`. */
  specifier: string;
}

/** The package a {@link SeparateModule} belongs to (made external in the handler's bundle). */
export function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return parts.slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
}

/** The command (POSIX shells and cmd.exe alike) that bundles `modules` into `outputDir`'s node_modules. */
export function bundleSeparateModulesCommands(
  inputDir: string,
  outputDir: string,
  modules: readonly SeparateModule[],
): string[] {
  if (modules.length === 0) return [];
  const script = `${inputDir}/lib/bundling/bundle-module.cjs`;
  const specifiers = modules.map((m) => `"${m.specifier}"`).join(' ');
  return [`node "${script}" "${outputDir}" "${inputDir}" ${KYC_BUNDLING.target} ${specifiers}`];
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
  /** Data files the bundle reads from its own folder (see AssetFile). */
  assetFiles?: readonly AssetFile[];
  /** Large modules bundled on their own beside the handler (see SeparateModule). */
  separateModules?: readonly SeparateModule[];
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
    const assetFiles = props.assetFiles ?? [];
    const separate = props.separateModules ?? [];
    const external = [...native.map((m) => m.name), ...separate.map((m) => packageOf(m.specifier))];
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
        externalModules: [...new Set([...KYC_BUNDLING.externalModules, ...external])],
        ...(native.length > 0 || assetFiles.length > 0 || separate.length > 0
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir: string, outputDir: string) => [
                  ...installNativeModulesCommands(outputDir, native),
                  ...bundleSeparateModulesCommands(inputDir, outputDir, separate),
                  ...copyAssetFilesCommands(inputDir, outputDir, assetFiles),
                ],
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
