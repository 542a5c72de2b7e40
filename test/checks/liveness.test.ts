import { createLocalCheckProvider } from '../../functions/checks/local';
import { findFaces, withoutOverlappingBoxes } from '../../functions/checks/local/face-analysis';
import { decodeImage } from '../../functions/checks/local/image';
import { DEFAULT_LOCAL_OPTIONS } from '../../functions/checks/local/options';
import { faceModels, ocrModels } from '../../functions/checks/local/models';
import type { HeadPrompt } from '../../functions/domain/model';
import type { CheckResult } from '../../functions/ports/checks';
import { DEFAULT_FLOW, image, readJson, TimingLog, type Labels, type LivenessLabel } from './testdata';

/**
 * Head-turn liveness on testdata/liveness. person_a turns clearly (left 011-016, right 000-008 and 020-022,
 * frontal 009/018/019); person_b only tilts. "left"/"right" are the subject's own.
 */
const provider = createLocalCheckProvider();
const timings = new TimingLog();
const flow = { thresholds: DEFAULT_FLOW.thresholds };
const labels = readJson<LivenessLabel[]>('liveness/labels.json');

interface FrameReport {
  prompt: HeadPrompt;
  faces: number;
  yaw: number | null;
  distance: number | null;
  poseOk: boolean;
  samePerson: boolean;
}

function frames(result: CheckResult): FrameReport[] {
  return result.extracted.frames as FrameReport[];
}

function run(prompts: HeadPrompt[], files: string[], selfie: string | null): Promise<CheckResult> {
  return timings.time('checkLiveness', () =>
    provider.checkLiveness({
      prompts,
      frames: files.map((f) => image(`liveness/${f}`)),
      selfie: selfie ? image(`liveness/${selfie}`) : null,
      flow,
    }),
  );
}

beforeAll(async () => {
  await timings.time('warmUp', () => provider.warmUp());
}, 60_000);

afterAll(() => timings.print('liveness'));

describe('model loading', () => {
  it('loads once per process: every call shares the same promise', async () => {
    expect(faceModels()).toBe(faceModels());
    expect(ocrModels()).toBe(ocrModels());
    await expect(createLocalCheckProvider().warmUp()).resolves.toBeUndefined();
    expect(await faceModels()).toBe(await faceModels());
  });
});

describe('person_a head-turn challenge', () => {
  const left = 'person_a/frame_013.jpg';
  const right = 'person_a/frame_022.jpg';
  const centre = 'person_a/frame_009.jpg';
  const selfie = 'person_a/frame_019.jpg';

  it('the labels agree with the frames used here', () => {
    const pose = (f: string) => labels.find((l) => l.file === f)?.pose;
    expect([pose(left), pose(right), pose(centre), pose(selfie)]).toEqual(['left', 'right', 'frontal', 'frontal']);
  });

  it('passes when every frame follows its prompt (left, right, centre)', async () => {
    const result = await run(['left', 'right', 'centre'], [left, right, centre], selfie);
    expect(result).toMatchObject({
      check: 'liveness',
      outcome: 'pass',
      reasonCodes: [],
      riskFlags: [],
      provider: 'local',
    });
    const report = frames(result);
    expect(report.map((f) => f.faces)).toEqual([1, 1, 1]);
    expect(report[0]?.yaw).toBeGreaterThan(flow.thresholds.livenessMinTurnDegrees);
    expect(report[1]?.yaw).toBeLessThan(-flow.thresholds.livenessMinTurnDegrees);
    expect(Math.abs(report[2]?.yaw ?? 9)).toBeLessThan(flow.thresholds.livenessMinTurnDegrees);
    expect(report.every((f) => f.samePerson && (f.distance ?? 9) <= flow.thresholds.faceMatchMaxDistance)).toBe(true);
  });

  it('passes another order with other frames (right, centre, left)', async () => {
    const result = await run(
      ['right', 'centre', 'left'],
      ['person_a/frame_007.jpg', 'person_a/frame_018.jpg', 'person_a/frame_015.jpg'],
      selfie,
    );
    expect(result.outcome).toBe('pass');
  });

  it('fails when the turns come in the wrong order', async () => {
    const result = await run(['right', 'left', 'centre'], [left, right, centre], selfie);
    expect(result.outcome).toBe('fail');
    expect(result.reasonCodes).toEqual(['LIVENESS_FAILED']);
    expect(frames(result).map((f) => f.poseOk)).toEqual([false, false, true]);
    expect(result.riskFlags).toEqual([]);
  });

  it('fails one still image repeated for every prompt, flagging REPLAYED_FRAMES', async () => {
    const result = await run(['left', 'right', 'centre'], [centre, centre, centre], selfie);
    expect(result.outcome).toBe('fail');
    expect(result.reasonCodes).toEqual(['LIVENESS_FAILED']);
    expect(result.riskFlags).toEqual(['REPLAYED_FRAMES']);
    expect(result.scores.minFrameDifference).toBeLessThan(1);
  });

  it('fails when the selfie shows another person', async () => {
    const result = await run(['left', 'right', 'centre'], [left, right, centre], 'person_b/frame_001.jpg');
    expect(result.outcome).toBe('fail');
    expect(result.reasonCodes).toEqual(['LIVENESS_FAILED']);
    expect(frames(result).every((f) => !f.samePerson && (f.distance ?? 0) > flow.thresholds.faceMatchMaxDistance)).toBe(
      true,
    );
  });

  it('fails when the frame count does not match the prompts', async () => {
    const result = await provider.checkLiveness({
      prompts: ['left', 'right'],
      frames: [image(`liveness/${left}`)],
      selfie: null,
      flow,
    });
    expect(result.outcome).toBe('inconclusive');
    expect(result.reasonCodes).toEqual(['LIVENESS_INCONCLUSIVE']);
  });
});

describe('person_b tilts instead of turning', () => {
  it('fails a left/right challenge answered with head tilts', async () => {
    // frame_010: tilt toward own left shoulder (roll +36), frame_022: toward the right (roll -43); yaw ~0.
    const result = await run(
      ['left', 'right', 'centre'],
      ['person_b/frame_010.jpg', 'person_b/frame_022.jpg', 'person_b/frame_001.jpg'],
      'person_b/frame_030.jpg',
    );
    expect(result.outcome).toBe('fail');
    expect(result.reasonCodes).toEqual(['LIVENESS_FAILED']);
    const report = frames(result);
    expect(report.map((f) => f.faces)).toEqual([1, 1, 1]);
    expect(report.map((f) => f.poseOk)).toEqual([false, false, true]);
  });
});

describe('head pose of the stills', () => {
  /** Each labelled frame of `person` as a still with a `left`/`right`/`centre` prompt from its label. */
  async function stills(person: string) {
    const chosen = labels.filter((l) => l.person === person);
    const prompts = chosen.map((l): HeadPrompt => (l.approx_yaw_degrees > 0 ? 'left' : 'right'));
    const result = await timings.time('checkLiveness', () =>
      provider.checkLiveness({ prompts, frames: chosen.map((l) => image(`liveness/${l.file}`)), selfie: null, flow }),
    );
    return frames(result).map((f, i) => ({ label: chosen[i]!, report: f }));
  }

  it('positive yaw = subject turned to their own left, on every clearly turned person_a frame', async () => {
    const wrong = (await stills('person_a'))
      .filter(({ label }) => Math.abs(label.approx_yaw_degrees) >= 25)
      .filter(
        ({ label, report }) => report.faces !== 1 || Math.sign(report.yaw ?? 0) !== Math.sign(label.approx_yaw_degrees),
      )
      .map(({ label, report }) => `${label.file}: faces=${report.faces} yaw=${report.yaw}`);
    expect(wrong).toEqual([]);
  });

  it.each(['person_b', 'person_c'])(
    "reads %s's yaw within the labels' margin (their reference: a face mesh fitted in perspective)",
    async (person) => {
      const off = (await stills(person))
        .filter(({ report }) => report.faces === 1)
        // The labels' own margin plus the fit's under landmark noise (3 degrees, test/unit/head-pose.test.ts).
        .filter(
          ({ label, report }) => Math.abs(report.yaw! - label.approx_yaw_degrees) > label.yaw_uncertainty_degrees + 3,
        )
        .map(({ label, report }) => `${label.file}: ${report.yaw} vs ${label.approx_yaw_degrees}`);
      expect(off).toEqual([]);
    },
  );

  it("refuses person_c's slight turns (12-16 degrees) as turns: they read below the 20 degree default", async () => {
    const slight = (await stills('person_c')).filter(({ label }) => label.pose !== 'frontal');
    expect(slight.map(({ report }) => report.faces)).toEqual([1, 1, 1]);
    expect(slight.every(({ report }) => !report.poseOk && Math.abs(report.yaw!) < 20)).toBe(true);
  });
});

describe("one face per person on the recording's path", () => {
  it('drops a weaker box covering a quarter or more of a face (the detector over hair), keeps faces side by side', () => {
    const face = { box: { x: 48, y: 63, width: 68, height: 65 }, score: 0.86 };
    const hair = { box: { x: 35, y: -30, width: 117, height: 113 }, score: 0.33 }; // covers 31 % of the face
    const neighbour = { box: { x: 140, y: 60, width: 66, height: 66 }, score: 0.4 };
    const touching = { box: { x: 100, y: 100, width: 60, height: 60 }, score: 0.5 }; // covers 10 % of the face
    expect(withoutOverlappingBoxes([hair, face, neighbour, touching])).toEqual([face, neighbour, touching]);
    // Only a weaker box goes: a face scored below a box it overlaps is kept (the frame then shows two faces).
    expect(withoutOverlappingBoxes([face, { ...hair, score: 0.9 }])).toEqual([face, { ...hair, score: 0.9 }]);
  });

  it('never finds a second face in a single-face portrait, at any recording width from 160 to 480 px', async () => {
    const portraits = readJson<Labels>('labels.json').faces.filter((f) => f.faces === 1);
    const wrong: string[] = [];
    for (const portrait of portraits) {
      const bytes = image(portrait.file).bytes;
      for (let width = 160; width <= 480; width += 32) {
        const frame = await decodeImage(bytes, portrait.file, width);
        const faces = await findFaces(frame, flow.thresholds.minFaceConfidence, DEFAULT_LOCAL_OPTIONS, 'light');
        // (A face scored under the flow's 0.3 is missed at some widths, london_013_smiling: see docs/checks.md.)
        if (faces.length > 1) wrong.push(`${portrait.file}@${width}: ${faces.length}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
