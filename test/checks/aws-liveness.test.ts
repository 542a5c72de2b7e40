import {
  CompareFacesCommand,
  DetectFacesCommand,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-rekognition';
import 'aws-sdk-client-mock-jest';
import sharp from 'sharp';
import type { HeadPrompt } from '../../functions/domain/model';
import type { LivenessInput } from '../../functions/ports/checks';
import { subjectTurnFromYaw } from '../../functions/checks/aws/pose';
import { faceDetail, faceMatch, mockedProvider, testImage, thresholds } from './aws-fixtures';

// person_a's labelled head turns (testdata/liveness/labels.json): 013 = own left, 000 = own right, 009 = frontal.
const frame = (n: string, label: string) => ({ bytes: testImage(`liveness/person_a/frame_${n}.jpg`), label });
const left = frame('013', 'frame 0');
const right = frame('000', 'frame 1');
const centre = frame('009', 'frame 2');
const selfie = frame('019', 'selfie');
const prompts: HeadPrompt[] = ['left', 'right', 'centre'];
const input = (over: Partial<LivenessInput> = {}): LivenessInput => ({
  prompts,
  frames: [left, right, centre],
  selfie,
  flow: { thresholds },
  ...over,
});

/** DetectFaces answers per frame, keyed by the frame bytes the provider sends. */
function detectFacesByFrame(
  mock: ReturnType<typeof mockedProvider>['rekognitionMock'],
  yaws: Array<number | null>,
  frames = [left, right, centre],
) {
  frames.forEach((f, i) => {
    const yaw = yaws[i];
    mock
      .on(DetectFacesCommand, { Image: { Bytes: f.bytes } })
      .resolves({ FaceDetails: yaw === null || yaw === undefined ? [] : [faceDetail({ yaw })] });
  });
}

describe('Rekognition yaw -> subject head direction', () => {
  const t = { minTurnDegrees: 20, maxCentreDegrees: 12, positiveYawIs: 'subject-left' as const };
  it("maps positive yaw to the subject's own left by default (camera-referenced yaw, unmirrored capture)", () => {
    expect(subjectTurnFromYaw(34, t)).toBe('left');
    expect(subjectTurnFromYaw(-41, t)).toBe('right');
    expect(subjectTurnFromYaw(4, t)).toBe('centre');
    expect(subjectTurnFromYaw(-15, t)).toBe('between');
  });
  it('can flip the convention by option', () => {
    expect(subjectTurnFromYaw(34, { ...t, positiveYawIs: 'subject-right' })).toBe('right');
    expect(subjectTurnFromYaw(-41, { ...t, positiveYawIs: 'subject-right' })).toBe('left');
  });
});

describe('AWS head-turn liveness', () => {
  it("passes when every frame meets its prompt with one face of the selfie's person", async () => {
    const { provider, rekognitionMock } = mockedProvider();
    detectFacesByFrame(rekognitionMock, [35.2, -41.7, 2.3]);
    rekognitionMock.on(CompareFacesCommand).resolves({ FaceMatches: [faceMatch(96.4)], UnmatchedFaces: [] });

    const res = await provider.checkLiveness(input());

    expect(res).toMatchObject({
      check: 'liveness',
      provider: 'aws',
      outcome: 'pass',
      reasonCodes: [],
      riskFlags: [],
      scores: { framesPassed: 3, frames: 3, minSamePersonSimilarity: 96.4 },
    });
    expect(rekognitionMock).toHaveReceivedCommandTimes(DetectFacesCommand, 3);
    expect(rekognitionMock).toHaveReceivedCommandTimes(CompareFacesCommand, 3);
    for (const f of [left, right, centre]) {
      expect(rekognitionMock).toHaveReceivedCommandWith(CompareFacesCommand, {
        SourceImage: { Bytes: selfie.bytes },
        TargetImage: { Bytes: f.bytes },
        SimilarityThreshold: 80,
      });
    }
    const frames = (res.extracted.frames as Array<{ turn: string; yaw: number }>).map((f) => [f.turn, f.yaw]);
    expect(frames).toEqual([
      ['left', 35.2],
      ['right', -41.7],
      ['centre', 2.3],
    ]);
  });

  it('fails when the head turns the wrong way (prompt left, subject turned right)', async () => {
    const { provider, rekognitionMock } = mockedProvider();
    detectFacesByFrame(rekognitionMock, [-35, -41, 1]);
    rekognitionMock.on(CompareFacesCommand).resolves({ FaceMatches: [faceMatch(96)] });
    const res = await provider.checkLiveness(input());
    expect(res).toMatchObject({ outcome: 'fail', reasonCodes: ['LIVENESS_FAILED'] });
    expect((res.extracted.frames as Array<{ promptMet: boolean }>)[0]?.promptMet).toBe(false);
  });

  it('fails a turn that stays below minTurnDegrees (slight tilt, like person_c)', async () => {
    const { provider, rekognitionMock } = mockedProvider();
    detectFacesByFrame(rekognitionMock, [14, -41, 1]);
    rekognitionMock.on(CompareFacesCommand).resolves({ FaceMatches: [faceMatch(96)] });
    const res = await provider.checkLiveness(input());
    expect(res).toMatchObject({ outcome: 'fail', reasonCodes: ['LIVENESS_FAILED'] });
  });

  it("takes the turn threshold from the flow (livenessMinTurnDegrees), in Rekognition's degrees", async () => {
    const { provider, rekognitionMock } = mockedProvider();
    detectFacesByFrame(rekognitionMock, [14, -41, 1]);
    rekognitionMock.on(CompareFacesCommand).resolves({ FaceMatches: [faceMatch(96)] });
    const res = await provider.checkLiveness(
      input({ flow: { thresholds: { ...thresholds, livenessMinTurnDegrees: 12 } } }),
    );
    expect(res).toMatchObject({ outcome: 'pass', extracted: { minTurnDegrees: 12 } });
  });

  it("fails when a frame shows someone other than the selfie's person", async () => {
    const { provider, rekognitionMock } = mockedProvider();
    detectFacesByFrame(rekognitionMock, [35, -41, 1]);
    rekognitionMock.on(CompareFacesCommand).resolves({ FaceMatches: [faceMatch(97)] });
    rekognitionMock
      .on(CompareFacesCommand, { TargetImage: { Bytes: right.bytes } })
      .resolves({ FaceMatches: [], UnmatchedFaces: [{ Confidence: 99 }] });
    const res = await provider.checkLiveness(input());
    expect(res).toMatchObject({ outcome: 'fail', reasonCodes: ['LIVENESS_FAILED'] });
    expect((res.extracted.frames as Array<{ samePersonSimilarity: number }>)[1]?.samePersonSimilarity).toBe(0);
  });

  it('fails when a frame shows two faces', async () => {
    const { provider, rekognitionMock } = mockedProvider();
    detectFacesByFrame(rekognitionMock, [35, -41, 1]);
    rekognitionMock
      .on(DetectFacesCommand, { Image: { Bytes: centre.bytes } })
      .resolves({ FaceDetails: [faceDetail(), faceDetail({ yaw: 3 })] });
    rekognitionMock.on(CompareFacesCommand).resolves({ FaceMatches: [faceMatch(97)] });
    const res = await provider.checkLiveness(input());
    expect(res).toMatchObject({ outcome: 'fail', reasonCodes: ['LIVENESS_FAILED'] });
  });

  it('is LIVENESS_INCONCLUSIVE when a frame has no face', async () => {
    const { provider, rekognitionMock } = mockedProvider();
    detectFacesByFrame(rekognitionMock, [35, null, 1]);
    rekognitionMock.on(CompareFacesCommand).resolves({ FaceMatches: [faceMatch(97)] });
    const res = await provider.checkLiveness(input());
    expect(res).toMatchObject({ outcome: 'inconclusive', reasonCodes: ['LIVENESS_INCONCLUSIVE'] });
    expect(rekognitionMock).toHaveReceivedCommandTimes(CompareFacesCommand, 2);
  });

  it('is LIVENESS_INCONCLUSIVE when frames and prompts do not pair up', async () => {
    const { provider, rekognitionMock } = mockedProvider();
    const res = await provider.checkLiveness(input({ frames: [left, right] }));
    expect(res).toMatchObject({ outcome: 'inconclusive', reasonCodes: ['LIVENESS_INCONCLUSIVE'] });
    expect(rekognitionMock.calls()).toHaveLength(0);
  });

  it('flags REPLAYED_FRAMES for identical frames and fails without calling Rekognition', async () => {
    const { provider, rekognitionMock } = mockedProvider();
    const res = await provider.checkLiveness(input({ frames: [left, { ...left, label: 'frame 1' }, centre] }));
    expect(res).toMatchObject({
      outcome: 'fail',
      reasonCodes: ['LIVENESS_FAILED'],
      riskFlags: ['REPLAYED_FRAMES'],
      extracted: { duplicatePairs: [[0, 1]] },
    });
    expect(rekognitionMock.calls()).toHaveLength(0);
  });

  it('flags REPLAYED_FRAMES for a still re-encoded as another frame', async () => {
    const { provider } = mockedProvider();
    const reencoded = await sharp(centre.bytes).jpeg({ quality: 70 }).toBuffer();
    const res = await provider.checkLiveness(input({ frames: [left, { bytes: reencoded, label: 'frame 1' }, centre] }));
    expect(res.riskFlags).toEqual(['REPLAYED_FRAMES']);
  });

  it('checks pose only (no CompareFaces) when there is no selfie', async () => {
    const { provider, rekognitionMock } = mockedProvider();
    detectFacesByFrame(rekognitionMock, [35, -41, 1]);
    const res = await provider.checkLiveness(input({ selfie: null }));
    expect(res.outcome).toBe('pass');
    expect(rekognitionMock).not.toHaveReceivedCommand(CompareFacesCommand);
  });

  it('lets Rekognition throughput errors propagate so the pipeline retries the step', async () => {
    const { provider, rekognitionMock } = mockedProvider();
    rekognitionMock
      .on(DetectFacesCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'throughput exceeded', $metadata: {} }));
    await expect(provider.checkLiveness(input())).rejects.toMatchObject({
      name: 'ProvisionedThroughputExceededException',
    });
  });
});
