/**
 * Errors the pipeline runner treats specially. Anything else a task throws is transient: the runner (and the
 * Step Functions Retry) tries again with backoff.
 */

/** A task failure that retrying cannot fix (missing verification, missing capture). The runner does not retry it. */
export class PermanentTaskError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentTaskError';
  }
}

/** A task try that exceeded the plan's `timeoutSeconds`. */
export class TaskTimeoutError extends Error {
  constructor(task: string, timeoutMs: number) {
    super(`task ${task} timed out after ${timeoutMs} ms`);
    this.name = 'TaskTimeoutError';
  }
}

/** The run was aborted (worker shutdown); nothing is recorded, the queue delivers the job again. */
export class PipelineAbortedError extends Error {
  constructor() {
    super('pipeline run aborted');
    this.name = 'PipelineAbortedError';
  }
}

/** Error text safe to store in a step result: bounded, never the stack. */
export function errorMessage(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
}
