/**
 * One Lambda "container" for the AWS e2e harness: a child process whose environment is exactly the
 * function's (from the template) plus what the Lambda runtime sets. It loads the bundled asset from
 * cdk.out, whose only way to the AWS SDK is NODE_PATH (the runtime's @aws-sdk, linked to the repo's copies),
 * then answers invocations sent over IPC. Every SDK call is reported to the parent (service, command, the
 * input fields that name resources) by a middleware added to each client on its first send.
 */
const path = require('node:path');

let handler = null;

function report(message) {
  if (process.connected) process.send(message);
}

function serializeError(err) {
  const e = err instanceof Error ? err : new Error(String(err));
  return { errorType: e.name || 'Error', errorMessage: e.message, stack: e.stack };
}

/** Keeps only the fields of an SDK input that say which resources a call touches (no bodies, no images). */
function resourceFields(input) {
  if (!input || typeof input !== 'object') return {};
  const out = {};
  for (const k of [
    'TableName',
    'IndexName',
    'Bucket',
    'Key',
    'Prefix',
    'CopySource',
    'QueueUrl',
    'stateMachineArn',
    'executionArn',
    'KeyId',
    'CollectionId',
  ]) {
    if (typeof input[k] === 'string') out[k] = input[k];
  }
  if (input.RequestItems) out.RequestItems = Object.keys(input.RequestItems);
  if (Array.isArray(input.TransactItems)) {
    out.TransactItems = input.TransactItems.map((item) => {
      const [kind] = Object.keys(item);
      return { kind, TableName: item[kind].TableName };
    });
  }
  if (input.Delete && Array.isArray(input.Delete.Objects)) out.DeleteKeys = input.Delete.Objects.map((o) => o.Key);
  const s3Objects = [];
  for (const image of [input.Image, input.SourceImage, input.TargetImage, input.Document]) {
    if (image?.S3Object) s3Objects.push({ Bucket: image.S3Object.Bucket, Key: image.S3Object.Name });
  }
  for (const page of input.DocumentPages || []) {
    if (page.S3Object) s3Objects.push({ Bucket: page.S3Object.Bucket, Key: page.S3Object.Name });
  }
  if (s3Objects.length > 0) out.S3Objects = s3Objects;
  return out;
}

function instrumentSdk(smithyClientPath) {
  const { Client } = require(smithyClientPath);
  const instrumented = new WeakSet();
  const send = Client.prototype.send;
  Client.prototype.send = function instrumentedSend(...args) {
    if (!instrumented.has(this.middlewareStack)) {
      instrumented.add(this.middlewareStack);
      this.middlewareStack.add(
        (next, context) => async (callArgs) => {
          report({
            type: 'call',
            client: context.clientName,
            command: context.commandName,
            input: resourceFields(callArgs.input),
          });
          return next(callArgs);
        },
        { step: 'initialize', name: 'awsE2eCallRecorder', priority: 'high' },
      );
    }
    return send.apply(this, args);
  };
}

async function init(message) {
  instrumentSdk(message.smithyClientPath);
  const mod = require(path.join(message.taskRoot, `${message.handlerFile}.js`));
  handler = mod[message.handlerExport];
  if (typeof handler !== 'function')
    throw new Error(`${message.handlerFile}.${message.handlerExport} is not a function`);
}

async function invoke(message) {
  process.env._X_AMZN_TRACE_ID = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${message.requestId.replace(/-/g, '').slice(0, 24)};Parent=${message.requestId.replace(/-/g, '').slice(0, 16)};Sampled=0`;
  const context = {
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: '$LATEST',
    invokedFunctionArn: message.functionArn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: message.requestId,
    logGroupName: `/aws/lambda/${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
    logStreamName: 'e2e',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
    done() {},
    fail() {},
    succeed() {},
  };
  return handler(message.event, context);
}

process.on('message', (message) => {
  if (message.type === 'init') {
    init(message).then(
      () => report({ type: 'ready' }),
      (err) => report({ type: 'initError', error: serializeError(err) }),
    );
  } else if (message.type === 'invoke') {
    invoke(message)
      .then(
        // Fault injection (the harness's crashAfterHandler): the work is done, the process dies before answering.
        (value) => (message.crashAfterHandler ? process.kill(process.pid, 'SIGKILL') : value),
        (err) => {
          if (message.crashAfterHandler) process.kill(process.pid, 'SIGKILL');
          throw err;
        },
      )
      .then(
        (value) => report({ type: 'result', id: message.id, ok: true, value: value === undefined ? null : value }),
        (err) => report({ type: 'result', id: message.id, ok: false, error: serializeError(err) }),
      );
  }
});
