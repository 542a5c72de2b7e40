import {
  backoffMs,
  PipelineAbortedError,
  PermanentTaskError,
  runPipeline,
  type PipelineTask,
} from '../../functions/app/pipeline';
import {
  pipelinePlan,
  planTasks,
  type PipelineStage,
  type PipelineTaskName,
  type TaskStage,
} from '../../functions/domain/pipeline-plan';
import { createPipelineHarness, recordingSleep, seedVerification, type PipelineHarness } from '../pipeline/harness';

const TASK_NAMES: PipelineTaskName[] = [
  'prepare',
  'documentCheck',
  'livenessCheck',
  'faceMatch',
  'riskSignals',
  'decide',
];

/** Tasks that only log their calls; `overrides` replace single tasks. */
function loggingTasks(
  log: string[],
  overrides: Partial<Record<PipelineTaskName, PipelineTask>> = {},
): Record<PipelineTaskName, PipelineTask> {
  return Object.fromEntries(
    TASK_NAMES.map((name) => [
      name,
      async (...args: Parameters<PipelineTask>) => {
        log.push(name);
        await overrides[name]?.(...args);
      },
    ]),
  ) as Record<PipelineTaskName, PipelineTask>;
}

function withStage(
  task: PipelineTaskName,
  patch: Partial<TaskStage>,
  plan: readonly PipelineStage[] = pipelinePlan,
): PipelineStage[] {
  return plan.map((s) =>
    s.kind === 'task'
      ? s.task === task
        ? { ...s, ...patch }
        : s
      : { ...s, branches: s.branches.map((b) => withStage(task, patch, b)) },
  );
}

describe('runPipeline scheduling', () => {
  let h: PipelineHarness;
  let input: { verificationId: string; attempt: number };
  beforeEach(async () => {
    h = await createPipelineHarness();
    const { verification } = await seedVerification(h);
    input = { verificationId: verification.id, attempt: 1 };
  });
  afterEach(async () => h.close());

  it('computes the Step Functions backoff: interval * rate^(try - 1)', () => {
    const stage = planTasks().find((s) => s.task === 'documentCheck')!;
    expect(
      [1, 2, 3].map((n) => backoffMs({ ...stage, retry: { maxAttempts: 4, intervalSeconds: 2, backoffRate: 2 } }, n)),
    ).toEqual([2000, 4000, 8000]);
    expect(backoffMs({ ...stage, retry: { maxAttempts: 3, intervalSeconds: 1, backoffRate: 1.5 } }, 3)).toBe(2250);
  });

  it('runs the stages in plan order', async () => {
    const log: string[] = [];
    await runPipeline(h.deps, input, { tasks: loggingTasks(log) });
    expect(log[0]).toBe('prepare');
    expect(log.slice(1, 3).sort()).toEqual(['documentCheck', 'livenessCheck']);
    expect(log.slice(3)).toEqual(['faceMatch', 'riskSignals', 'decide']);
  });

  it('runs parallel branches concurrently', async () => {
    let livenessStarted!: () => void;
    const started = new Promise<void>((resolve) => (livenessStarted = resolve));
    const log: string[] = [];
    const tasks = loggingTasks(log, {
      documentCheck: () => started, // finishes only once the other branch has started
      livenessCheck: async () => livenessStarted(),
    });
    const report = await runPipeline(h.deps, input, {
      tasks,
      plan: withStage('documentCheck', { timeoutSeconds: 30 }),
    });
    expect(report.tasks.documentCheck).toEqual({ status: 'done', tries: 1 });
  });

  it('bounds a try by the stage timeout and retries it', async () => {
    const tasks = loggingTasks([], { livenessCheck: () => new Promise<void>(() => {}) });
    const plan = withStage('livenessCheck', {
      timeoutSeconds: 0.02,
      retry: { maxAttempts: 2, intervalSeconds: 1, backoffRate: 2 },
    });
    const { sleep, waits } = recordingSleep();
    const report = await runPipeline(h.deps, input, { tasks, plan, sleep });
    expect(report.tasks.livenessCheck).toMatchObject({
      status: 'failed',
      tries: 2,
      error: expect.stringContaining('TaskTimeoutError'),
    });
    expect(waits).toEqual([1000]);
    const step = await h.store.steps.get(input.verificationId, 1, 'livenessCheck');
    expect(step?.result).toMatchObject({ kind: 'check', result: { reasonCodes: ['CHECK_ERROR'] } });
  });

  it('does not retry a permanent error', async () => {
    const tasks = loggingTasks([], {
      faceMatch: async () => {
        throw new PermanentTaskError('no selfie capture');
      },
    });
    const { sleep, waits } = recordingSleep();
    const report = await runPipeline(h.deps, input, { tasks, sleep });
    expect(report.tasks.faceMatch).toEqual({
      status: 'failed',
      tries: 1,
      error: 'PermanentTaskError: no selfie capture',
    });
    expect(waits).toEqual([]);
  });

  it('continues with the next check after a failed check, and jumps to decide after a failed non-check stage', async () => {
    const boom = async () => {
      throw new PermanentTaskError('boom');
    };
    const log: string[] = [];
    await runPipeline(h.deps, input, { tasks: loggingTasks(log, { documentCheck: boom }) });
    expect(log).toEqual(expect.arrayContaining(['faceMatch', 'riskSignals', 'decide']));

    const log2: string[] = [];
    await runPipeline(h.deps, input, { tasks: loggingTasks(log2, { prepare: boom }) });
    expect(log2).toEqual(['prepare', 'decide']);
    expect((await h.store.steps.get(input.verificationId, 1, 'prepare'))?.result).toEqual({
      kind: 'failed',
      reasonCodes: ['CHECK_ERROR'],
      error: 'PermanentTaskError: boom',
    });
  });

  it('stops without recording anything when aborted', async () => {
    const controller = new AbortController();
    const log: string[] = [];
    const tasks = loggingTasks(log, { prepare: async () => controller.abort() });
    await expect(runPipeline(h.deps, input, { tasks, signal: controller.signal })).rejects.toBeInstanceOf(
      PipelineAbortedError,
    );
    expect(log).toEqual(['prepare']);
    expect(await h.store.steps.listByAttempt(input.verificationId, 1)).toEqual([]);
  });

  it('records a failed decide as review through the outcome recorder', async () => {
    const tasks = loggingTasks([], {
      decide: async () => {
        throw new Error('down');
      },
    });
    const report = await runPipeline(h.deps, input, {
      tasks,
      recordOutcome: h.recordingOutcome,
      sleep: recordingSleep().sleep,
    });
    expect(report.status).toBe('failed');
    expect(h.outcomes).toEqual([
      {
        verificationId: input.verificationId,
        attempt: 1,
        decision: 'review',
        declineType: null,
        reasonCodes: ['CHECK_ERROR'],
        riskFlags: [],
      },
    ]);
  });
});
