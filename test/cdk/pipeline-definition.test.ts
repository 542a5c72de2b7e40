import { StateMachine } from 'aws-local-stepfunctions';
import { PermanentTaskError } from '../../functions/app/pipeline/errors';
import { RECORD_FAILURE_TASK } from '../../functions/domain/pipeline-plan';
import { pipelineTaskEventSchema } from '../../functions/aws/entries/pipeline-task-event';
import { pipelinePlan, planTasks, type PipelineStage } from '../../functions/domain/pipeline-plan';
import {
  buildPipelineDefinition,
  failedStateName,
  PERMANENT_ERROR_NAME,
  PIPELINE_FAILED_STATE,
  worstCaseSeconds,
  type AslDefinition,
} from '../../lib/pipeline-state-machine';

// aws-local-stepfunctions 3 uses Promise.withResolvers (Node 22+); Node 20 lacks it.
const promiseStatics = Promise as unknown as { withResolvers?: unknown };
promiseStatics.withResolvers ??= function withResolvers<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

const TASK_ARN = 'arn:aws:lambda:eu-west-1:000000000000:function:kyc-dev-pipeline-task';
const definition = buildPipelineDefinition(pipelinePlan, TASK_ARN);
const taskNames = planTasks(pipelinePlan).map((t) => t.task);

type Outcome = 'pass' | 'fail' | 'check_error';
type Behaviour = (call: number) => 'ok' | Error;

/**
 * A stand-in for the pipeline-task Lambda: validates each payload with the real event schema, keeps
 * per-task step results in memory (like the store) and decides from them, with a scripted behaviour per
 * task. It models just enough of the domain to see where the state machine routes.
 */
function fakeTaskLambda(
  script: Partial<Record<string, Behaviour>> = {},
  results: Partial<Record<string, Outcome>> = {},
) {
  const calls: { task: string; failedTask?: string; error?: string | null }[] = [];
  const steps = new Map<string, Outcome>();
  let decision: string | null = null;
  const counts = new Map<string, number>();
  const invoke = async (payload: unknown) => {
    const event = pipelineTaskEventSchema.parse(payload);
    expect(event).toMatchObject({ verificationId: 'vrf_1', attempt: 2 });
    if (event.task === RECORD_FAILURE_TASK) {
      calls.push({ task: event.task, failedTask: event.failedTask, error: event.error });
      steps.set(event.failedTask, 'check_error');
      if (event.failedTask === 'decide') decision = 'review';
      return { ok: true };
    }
    calls.push({ task: event.task });
    const n = (counts.get(event.task) ?? 0) + 1;
    counts.set(event.task, n);
    const behaviour = script[event.task]?.(n) ?? 'ok';
    if (behaviour instanceof Error) throw behaviour;
    if (event.task === 'decide') {
      const outcomes = [...steps.values()];
      decision = outcomes.includes('check_error') ? 'review' : outcomes.includes('fail') ? 'declined' : 'approved';
    } else {
      steps.set(event.task, results[event.task] ?? 'pass');
    }
    return { ok: true };
  };
  return { calls, invoke, decision: () => decision, tries: (task: string) => counts.get(task) ?? 0 };
}

async function execute(lambda: ReturnType<typeof fakeTaskLambda>, def: AslDefinition = definition) {
  const handlers: Record<string, (input: unknown) => Promise<{ ok: boolean }>> = {};
  const noWait: Record<string, number> = {};
  for (const name of Object.keys(allStates(def))) {
    handlers[name] = lambda.invoke as (input: unknown) => Promise<{ ok: boolean }>;
    noWait[name] = 0;
  }
  // JSON copy: the runner mutates the definition, and structuredClone misbehaves inside Jest.
  const machine = new StateMachine(JSON.parse(JSON.stringify(def)), {
    validationOptions: { checkArn: true, checkPaths: true },
  });
  const run = machine.run(
    { verificationId: 'vrf_1', attempt: 2 },
    { overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides: noWait } },
  );
  return run.result;
}

/** Every state, including those inside Parallel branches. */
function allStates(def: { States: Record<string, Record<string, unknown>> }): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, state] of Object.entries(def.States)) {
    out[name] = state;
    const branches = (state.Branches ?? []) as { States: Record<string, Record<string, unknown>> }[];
    for (const b of branches) Object.assign(out, allStates(b));
  }
  return out;
}

const transient =
  (failures: number): Behaviour =>
  (n) =>
    n <= failures ? new Error('throttled') : 'ok';
const always: Behaviour = () => new Error('boom');

describe('buildPipelineDefinition (structure)', () => {
  const states = allStates(definition);

  it('has one Task state per plan task, invoking the task Lambda with {task, verificationId, attempt}', () => {
    for (const task of taskNames) {
      expect(states[task]).toMatchObject({
        Type: 'Task',
        Resource: TASK_ARN,
        Parameters: { task, 'verificationId.$': '$.verificationId', 'attempt.$': '$.attempt' },
        ResultPath: null,
      });
    }
  });

  it('turns parallel stages into Parallel states with one branch per plan branch', () => {
    const parallel = pipelinePlan.find((s): s is Extract<PipelineStage, { kind: 'parallel' }> => s.kind === 'parallel');
    expect(parallel).toBeDefined();
    const state = definition.States[parallel!.name] as { Type: string; Branches: { StartAt: string }[] };
    expect(state.Type).toBe('Parallel');
    expect(state.Branches.map((b) => b.StartAt)).toEqual(
      parallel!.branches.map((b) => (b[0]!.kind === 'task' ? b[0]!.task : '')),
    );
  });

  it('copies each stage retry policy (maxAttempts counts the first try) and its timeout', () => {
    for (const stage of planTasks(pipelinePlan)) {
      const state = states[stage.task]!;
      expect(state.TimeoutSeconds).toBe(stage.timeoutSeconds);
      expect(state.Retry).toEqual([
        { ErrorEquals: [PERMANENT_ERROR_NAME], MaxAttempts: 0 },
        {
          ErrorEquals: ['States.ALL'],
          IntervalSeconds: stage.retry.intervalSeconds,
          MaxAttempts: stage.retry.maxAttempts - 1,
          BackoffRate: stage.retry.backoffRate,
        },
      ]);
      expect(state.Catch).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: failedStateName(stage.task) },
      ]);
    }
  });

  it('never retries the error name the pipeline uses for permanent failures', () => {
    expect(new PermanentTaskError('x').name).toBe(PERMANENT_ERROR_NAME);
  });

  it('bounds the execution by twice the worst case of the plan', () => {
    expect(definition.TimeoutSeconds).toBe(Math.ceil(worstCaseSeconds(pipelinePlan) * 2));
    expect(definition.TimeoutSeconds).toBeGreaterThan(60 * 3 * 2);
  });

  it('uses the token string it is given verbatim (CDK resolves it later)', () => {
    const withToken = buildPipelineDefinition(pipelinePlan, '${Token[TOKEN.123]}');
    expect(JSON.stringify(withToken)).toContain('"Resource":"${Token[TOKEN.123]}"');
  });

  it('rejects plans it cannot express', () => {
    expect(() => buildPipelineDefinition([], TASK_ARN)).toThrow('empty');
    expect(() => buildPipelineDefinition([{ kind: 'parallel', name: 'p', branches: [[]] }], TASK_ARN)).toThrow();
  });
});

describe('generated state machine, executed with aws-local-stepfunctions', () => {
  it('approved: runs every task once, checks in parallel, and returns the input', async () => {
    const lambda = fakeTaskLambda();
    await expect(execute(lambda)).resolves.toEqual({ verificationId: 'vrf_1', attempt: 2 });
    expect(lambda.decision()).toBe('approved');
    const order = lambda.calls.map((c) => c.task);
    expect([...order].sort()).toEqual([...taskNames].sort());
    expect(order[0]).toBe('prepare');
    expect(order.slice(1, 3).sort()).toEqual(['documentCheck', 'livenessCheck']);
    expect(order.slice(3)).toEqual(['faceMatch', 'riskSignals', 'decide']);
  });

  it('declined: a failing check result flows through to decide without any failure handling', async () => {
    const lambda = fakeTaskLambda({}, { documentCheck: 'fail' });
    await execute(lambda);
    expect(lambda.decision()).toBe('declined');
    expect(lambda.calls.some((c) => c.task === RECORD_FAILURE_TASK)).toBe(false);
  });

  it('a task that fails twice then succeeds is retried and the pipeline approves', async () => {
    const lambda = fakeTaskLambda({ faceMatch: transient(2) });
    await execute(lambda);
    expect(lambda.tries('faceMatch')).toBe(3);
    expect(lambda.calls.some((c) => c.task === RECORD_FAILURE_TASK)).toBe(false);
    expect(lambda.decision()).toBe('approved');
  });

  it('a check that fails every try is caught, recorded as a failure, and decide yields review', async () => {
    const lambda = fakeTaskLambda({ livenessCheck: always });
    await expect(execute(lambda)).resolves.toMatchObject({ verificationId: 'vrf_1', attempt: 2 });
    const maxAttempts = planTasks(pipelinePlan).find((t) => t.task === 'livenessCheck')!.retry.maxAttempts;
    expect(lambda.tries('livenessCheck')).toBe(maxAttempts);
    expect(lambda.calls.filter((c) => c.task === RECORD_FAILURE_TASK)).toEqual([
      { task: RECORD_FAILURE_TASK, failedTask: 'livenessCheck', error: 'Error' },
    ]);
    // The other checks still ran after the failure.
    expect(lambda.tries('faceMatch')).toBe(1);
    expect(lambda.tries('riskSignals')).toBe(1);
    expect(lambda.decision()).toBe('review');
  });

  it('a PermanentTaskError is not retried', async () => {
    const lambda = fakeTaskLambda({ documentCheck: () => new PermanentTaskError('no document_front capture') });
    await execute(lambda);
    expect(lambda.tries('documentCheck')).toBe(1);
    expect(lambda.calls.find((c) => c.task === RECORD_FAILURE_TASK)).toEqual({
      task: RECORD_FAILURE_TASK,
      failedTask: 'documentCheck',
      error: PERMANENT_ERROR_NAME,
    });
    expect(lambda.decision()).toBe('review');
  });

  it('a failed non-check stage (prepare) skips the checks and goes straight to decide', async () => {
    const lambda = fakeTaskLambda({ prepare: always });
    await execute(lambda);
    expect(lambda.calls.map((c) => c.task)).toEqual(['prepare', 'prepare', 'prepare', RECORD_FAILURE_TASK, 'decide']);
    expect(lambda.decision()).toBe('review');
  });

  it('a failed decide is recorded (review) and the execution fails so the alarm fires', async () => {
    const lambda = fakeTaskLambda({ decide: always });
    await expect(execute(lambda)).rejects.toThrow(/decision step failed after retries/);
    expect(lambda.calls.at(-1)).toEqual({ task: RECORD_FAILURE_TASK, failedTask: 'decide', error: 'Error' });
    expect(lambda.decision()).toBe('review');
    expect(definition.States[PIPELINE_FAILED_STATE]).toMatchObject({ Type: 'Fail', Error: 'PipelineFailed' });
  });
});
