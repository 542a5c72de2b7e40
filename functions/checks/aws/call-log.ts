import type { CheckResult, CheckTiming } from '../../ports/checks';

/**
 * Times each remote call of one check so the CheckResult reports where the seconds went
 * (e.g. `rekognition:DetectFaces frame 1` 412 ms). One log per check invocation.
 */
export class CallLog {
  readonly timings: CheckTiming[] = [];

  /** Runs `fn`, records its duration under `step` whether it resolves or throws, and returns its value. */
  async time<T>(step: string, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      this.timings.push({ step, ms: Math.round((performance.now() - started) * 10) / 10 });
    }
  }

  /** A `check` result from the AWS provider, carrying this log's timings. */
  result(
    check: 'faceMatch' | 'liveness',
    parts: Pick<CheckResult, 'outcome' | 'scores' | 'reasonCodes' | 'riskFlags' | 'extracted'>,
  ): CheckResult {
    return { check, provider: 'aws', timings: this.timings, ...parts };
  }
}

/**
 * True when `err` is an AWS SDK v3 service exception with one of `names` (e.g. InvalidParameterException).
 * Only errors that mean "this input cannot be processed" are matched by callers; throttling and
 * service faults are never swallowed, so the pipeline's retry policy handles them.
 */
export function isAwsError(err: unknown, ...names: string[]): boolean {
  return err instanceof Error && names.includes(err.name);
}
