/**
 * @jest-environment ./test/checks/onnx-environment.js
 */
import { CompareFacesCommand, DetectFacesCommand } from '@aws-sdk/client-rekognition';
import 'aws-sdk-client-mock-jest';
import type {
  SequenceObserver,
  SequenceObserverInput,
  SequenceVerdict,
} from '../../functions/checks/face-sequence/sequence-verdict';
import { createFaceApiSequenceObserver } from '../../functions/checks/local/liveness-sequence';
import { DEFAULT_THRESHOLDS } from '../../functions/domain/flows';
import type { HeadPrompt } from '../../functions/domain/model';
import type { LivenessInput } from '../../functions/ports/checks';
import { buildSequence, personAFrames, sequenceForPrompts } from '../support/liveness-sequences';
import { faceDetail, faceMatch, mockedProvider, testImage } from './aws-fixtures';

/**
 * The AWS provider judges the continuous recording with an injected observer (no paid call) and combines that
 * verdict with its Rekognition verdict on the stills exactly as the local provider does. First with a scripted
 * observer (each combination of outcomes), then with the real face-api observer on person_a's recording.
 */

jest.setTimeout(120_000);

// person_a's labelled head turns (testdata/liveness/labels.json): 013 = own left, 000 = own right, 009 = frontal.
const frame = (n: string, label: string) => ({ bytes: testImage(`liveness/person_a/frame_${n}.jpg`), label });
const left = frame('013', 'frame 0');
const right = frame('000', 'frame 1');
const centre = frame('009', 'frame 2');
const selfie = frame('019', 'selfie');
const prompts: HeadPrompt[] = ['left', 'right', 'centre'];
const recording = {
  bytes: Buffer.from('a recording the scripted observer never decodes'),
  label: 'liveness recording',
};
const input = (over: Partial<LivenessInput> = {}): LivenessInput => ({
  prompts,
  frames: [left, right, centre],
  sequence: recording,
  selfie,
  flow: { thresholds: DEFAULT_THRESHOLDS },
  ...over,
});

const judged = (over: Partial<SequenceVerdict> = {}): SequenceVerdict => ({
  status: 'judged',
  analysis: {
    ok: true,
    problems: [],
    promptFrames: [3, 8, 12],
    framesWithFace: 14,
    spanMs: 3250,
    maxGapMs: 250,
    yawReversals: 1,
    replayed: false,
  },
  problems: [],
  frames: 14,
  maxDistance: 0.41,
  recognisedFrames: [0, 3, 8, 12, 13],
  yaws: [0, -20, -38],
  ...over,
});

/** An observer answering `verdict`, recording what it was asked. */
function scriptedObserver(verdict: SequenceVerdict): SequenceObserver & { inputs: SequenceObserverInput[] } {
  const inputs: SequenceObserverInput[] = [];
  return {
    inputs,
    async judge(observed, timings) {
      inputs.push(observed);
      timings.push({ step: 'sequence_detect', ms: 7 });
      return verdict;
    },
  };
}

/** A provider whose Rekognition passes every still (each turned as prompted, the selfie's person). */
function providerWithPassingStills(observer: SequenceObserver | undefined) {
  const mocked = mockedProvider(observer ? { sequenceObserver: observer } : {});
  [left, right, centre].forEach((f, i) => {
    mocked.rekognitionMock
      .on(DetectFacesCommand, { Image: { Bytes: f.bytes } })
      .resolves({ FaceDetails: [faceDetail({ yaw: [35, -41, 2][i] })] });
  });
  mocked.rekognitionMock.on(CompareFacesCommand).resolves({ FaceMatches: [faceMatch(97)], UnmatchedFaces: [] });
  return mocked;
}

describe('AWS liveness: stills (Rekognition) combined with the recording (injected observer)', () => {
  it('passes when both pass, reporting the recording beside the stills and handing the observer the attempt', async () => {
    const observer = scriptedObserver(judged());
    const { provider, rekognitionMock } = providerWithPassingStills(observer);

    const res = await provider.checkLiveness(input());

    expect(res).toMatchObject({
      check: 'liveness',
      provider: 'aws',
      outcome: 'pass',
      reasonCodes: [],
      riskFlags: [],
      scores: {
        framesPassed: 3,
        sequenceFrames: 14,
        sequenceSpanMs: 3250,
        sequenceMaxGapMs: 250,
        sequenceYawReversals: 1,
        sequenceMaxDistance: 0.41,
      },
      extracted: {
        sequence: { status: 'judged', frames: 14, prompts, promptFrames: [3, 8, 12], problems: [], framesWithFace: 14 },
      },
    });
    expect((res.extracted.frames as unknown[]).length).toBe(3); // the stills' own report is kept
    expect(res.timings.map((t) => t.step)).toContain('sequence_detect');
    expect(observer.inputs).toEqual([
      { prompts, frames: [left, right, centre], sequence: recording, selfie, flow: { thresholds: DEFAULT_THRESHOLDS } },
    ]);
    // The recording costs no Rekognition call: one DetectFaces and one CompareFaces per still, as before.
    expect(rekognitionMock).toHaveReceivedCommandTimes(DetectFacesCommand, 3);
    expect(rekognitionMock).toHaveReceivedCommandTimes(CompareFacesCommand, 3);
  });

  it('fails LIVENESS_FAILED when the stills pass but the recording shows no head-turn motion', async () => {
    const problem = { code: 'gap' as const, frame: 1, detail: '3250 ms between frames' };
    const { provider } = providerWithPassingStills(scriptedObserver(judged({ problems: [problem] })));
    const res = await provider.checkLiveness(input());
    expect(res).toMatchObject({ outcome: 'fail', reasonCodes: ['LIVENESS_FAILED'], riskFlags: [] });
    expect(res.extracted.sequence).toMatchObject({ problems: [problem] });
  });

  it('adds REPLAYED_FRAMES when the recording replays frames', async () => {
    const base = judged();
    const verdict = judged({
      analysis: { ...base.analysis!, replayed: true },
      problems: [{ code: 'duplicate_run', frame: 2, detail: 'the same image for 1500 ms' }],
    });
    const { provider } = providerWithPassingStills(scriptedObserver(verdict));
    const res = await provider.checkLiveness(input());
    expect(res).toMatchObject({ outcome: 'fail', reasonCodes: ['LIVENESS_FAILED'], riskFlags: ['REPLAYED_FRAMES'] });
  });

  it('fails on an identity finding of the recording (another person than the selfie)', async () => {
    const problem = { code: 'not_selfie_person' as const, frame: 8, detail: 'face distance 0.84 above 0.6' };
    const { provider } = providerWithPassingStills(scriptedObserver(judged({ problems: [problem] })));
    expect(await provider.checkLiveness(input())).toMatchObject({ outcome: 'fail', reasonCodes: ['LIVENESS_FAILED'] });
  });

  it('is LIVENESS_INCONCLUSIVE when the recording cannot be read, and a failed still outranks that', async () => {
    const unreadable = judged({ status: 'invalid', analysis: null, frames: 0, recognisedFrames: [], yaws: [] });
    const passing = providerWithPassingStills(scriptedObserver(unreadable));
    expect(await passing.provider.checkLiveness(input())).toMatchObject({
      outcome: 'inconclusive',
      reasonCodes: ['LIVENESS_INCONCLUSIVE'],
      extracted: { sequence: { status: 'invalid' } },
    });

    const wrongTurn = mockedProvider({ sequenceObserver: scriptedObserver(unreadable) });
    wrongTurn.rekognitionMock.on(DetectFacesCommand).resolves({ FaceDetails: [faceDetail({ yaw: -35 })] });
    wrongTurn.rekognitionMock.on(CompareFacesCommand).resolves({ FaceMatches: [faceMatch(97)] });
    expect(await wrongTurn.provider.checkLiveness(input())).toMatchObject({
      outcome: 'fail',
      reasonCodes: ['LIVENESS_FAILED'],
    });
  });

  it('keeps the stills failure when the recording passes (replayed stills)', async () => {
    const { provider, rekognitionMock } = providerWithPassingStills(scriptedObserver(judged()));
    const res = await provider.checkLiveness(input({ frames: [left, { ...left, label: 'frame 1' }, centre] }));
    expect(res).toMatchObject({ outcome: 'fail', reasonCodes: ['LIVENESS_FAILED'], riskFlags: ['REPLAYED_FRAMES'] });
    expect(rekognitionMock.calls()).toHaveLength(0);
  });

  it('judges a recording without stills by the recording alone, with no Rekognition call', async () => {
    const { provider, rekognitionMock } = providerWithPassingStills(scriptedObserver(judged()));
    const res = await provider.checkLiveness(input({ frames: [] }));
    expect(res).toMatchObject({ outcome: 'pass', reasonCodes: [], extracted: { frames: [] } });
    expect(rekognitionMock.calls()).toHaveLength(0);
  });

  it('refuses to judge a recording without an observer rather than pass on the stills alone', async () => {
    const { provider } = providerWithPassingStills(undefined);
    await expect(provider.checkLiveness(input())).rejects.toThrow(/sequence observer/);
  });
});

describe('AWS liveness with the face-api observer on real frames (the pipeline Lambda wiring)', () => {
  const observer = createFaceApiSequenceObserver();
  const A = personAFrames();

  it("passes person_a's recording walked to the prompts, with stills that pass Rekognition", async () => {
    const { provider } = providerWithPassingStills(observer);
    const sequence = { bytes: await sequenceForPrompts(prompts), label: 'liveness recording' };
    const res = await provider.checkLiveness(input({ sequence }));
    expect(res.extracted.sequence).toMatchObject({ status: 'judged', problems: [] });
    expect(res).toMatchObject({ provider: 'aws', outcome: 'pass', reasonCodes: [] });
  });

  it('declines stills that pass Rekognition when the recording is made of those stills', async () => {
    const { provider } = providerWithPassingStills(observer);
    // The three stills, 1.5 s apart: each pose as prompted, no motion between them.
    const stills = await buildSequence([A[13]!, A[0]!, A[9]!], { times: [0, 1500, 3000] });
    const res = await provider.checkLiveness(input({ sequence: { bytes: stills, label: 'liveness recording' } }));
    expect(res).toMatchObject({ outcome: 'fail', reasonCodes: ['LIVENESS_FAILED'] });
    const problems = (res.extracted.sequence as { problems: Array<{ code: string }> }).problems.map((p) => p.code);
    expect(problems).toContain('gap');
  });
});
