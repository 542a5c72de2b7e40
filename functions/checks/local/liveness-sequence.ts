import { createHash } from 'node:crypto';
import { parseFrameSequence } from '../../domain/frame-sequence';
import {
  analyseSequence,
  DEFAULT_SEQUENCE_LIMITS,
  type FrameObservation,
  framesForRecognition,
} from '../../domain/liveness-sequence';
import type { FlowThresholds, HeadPrompt } from '../../domain/model';
import type { CheckTiming, ImageInput } from '../../ports/checks';
import type { SequenceObserver, SequenceVerdict } from '../face-sequence/sequence-verdict';
import { findFaces, findFacesOnce, stillImageConfidence } from './face-analysis';
import { descriptorDistance, type DetectedFace } from './faces';
import { decodeImage, ImageDecodeError, type RgbImage, thumbnail } from './image';
import { DEFAULT_LOCAL_OPTIONS, timed, type LocalCheckOptions } from './options';

/**
 * The local side of liveness from a continuous capture: decode the recording's frames, observe each one
 * with the light path (tiny detector + 68 landmarks, no recognition net: head-pose yaw, box, score) and a 16x16
 * grayscale thumbnail, let the domain analysis judge order and motion, then recognise a few frames only
 * (domain framesForRecognition) against the selfie, or against the first of them without one. Recognition on
 * a frame starts from the light look's own box (the tiny detector is not run twice) and adds the full 68
 * landmarks and the descriptor (`recognise` mode, faces.ts): no SSD pass over the frame, so every frame the
 * light path saw a face on yields a descriptor. The selfie keeps the full SSD analysis the face match shares.
 * The same observer judges recordings for the AWS provider too (wired in functions/aws/face-sequence-observer.ts).
 */

/**
 * The face-api {@link SequenceObserver}: the selfie's face (selfie-grade confidence) is the identity reference;
 * a selfie without exactly one face leaves only the within-recording identity check.
 */
export function createFaceApiSequenceObserver(options: LocalCheckOptions = DEFAULT_LOCAL_OPTIONS): SequenceObserver {
  return {
    async judge({ sequence, prompts, selfie, flow }, timings) {
      const { thresholds } = flow;
      let selfieFace: DetectedFace | null = null;
      if (selfie) {
        try {
          const image = await decodeImage(selfie.bytes, selfie.label, options.maxFaceImageSide);
          const faces = await findFaces(image, stillImageConfidence(thresholds.minFaceConfidence, options), options);
          selfieFace = faces.length === 1 ? faces[0]! : null;
        } catch (err) {
          if (!(err instanceof ImageDecodeError)) throw err;
        }
      }
      return judgeSequence(sequence, prompts, selfieFace, thresholds, options, timings);
    },
  };
}

/** The recording's verdict given the selfie's face (see {@link createFaceApiSequenceObserver}). */
export async function judgeSequence(
  sequence: ImageInput,
  prompts: readonly HeadPrompt[],
  selfieFace: DetectedFace | null,
  thresholds: Pick<FlowThresholds, 'livenessMinTurnDegrees' | 'faceMatchMaxDistance' | 'minFaceConfidence'>,
  options: LocalCheckOptions,
  timings: CheckTiming[],
): Promise<SequenceVerdict> {
  const empty = { analysis: null, problems: [], frames: 0, maxDistance: null, recognisedFrames: [], yaws: [] };
  const parsed = parseFrameSequence(sequence.bytes);
  if (!parsed.ok) return { status: 'invalid', ...empty };
  let images: RgbImage[];
  try {
    images = await timed(timings, 'sequence_decode', () =>
      Promise.all(parsed.frames.map((f, i) => decodeImage(Buffer.from(f.bytes), `${sequence.label} frame ${i}`, 640))),
    );
  } catch (err) {
    if (!(err instanceof ImageDecodeError)) throw err;
    return { status: 'undecodable', ...empty, frames: parsed.frames.length };
  }
  const minConfidence = thresholds.minFaceConfidence;
  // Frames are looked at once, outside the process-wide memo (findFacesOnce); byte-identical frames (a replayed
  // still) share one look.
  const looks = new Map<string, Promise<DetectedFace[]>>();
  const lightLook = (img: RgbImage, i: number): Promise<DetectedFace[]> => {
    const key = createHash('sha256').update(parsed.frames[i]!.bytes).digest('base64');
    let look = looks.get(key);
    if (!look) {
      look = findFacesOnce(img, minConfidence, options, 'light');
      looks.set(key, look);
    }
    return look;
  };
  const [thumbs, faces] = await Promise.all([
    Promise.all(images.map((img) => thumbnail(img))),
    timed(timings, 'sequence_detect', () => Promise.all(images.map(lightLook))),
  ]);
  const observations: FrameObservation[] = parsed.frames.map((f, i) => {
    const found = faces[i] ?? [];
    const face = found.length === 1 ? found[0]! : null;
    return {
      t: f.t,
      faces: found.length,
      face: face ? { box: face.box, score: face.score, yaw: face.yaw } : null,
      thumb: thumbs[i]!,
    };
  });
  const analysis = analyseSequence(observations, prompts, {
    ...DEFAULT_SEQUENCE_LIMITS,
    turnDegrees: thresholds.livenessMinTurnDegrees,
  });
  const problems: SequenceVerdict['problems'] = [...analysis.problems];

  // Full recognition on a few frames: the same person throughout, and the selfie's person.
  const recognisedFrames = framesForRecognition(observations, analysis);
  const recognised = await timed(timings, 'sequence_recognise', () =>
    // From the light look's box: the tiny detector is deterministic, so running it again would find the same.
    Promise.all(recognisedFrames.map((i) => findFacesOnce(images[i]!, minConfidence, options, 'recognise', faces[i]))),
  );
  let maxDistance: number | null = null;
  const first = recognised.find((f) => f.length === 1)?.[0] ?? null;
  const compare = (code: 'identity_changed' | 'not_selfie_person', reference: DetectedFace | null): void => {
    if (!reference) return;
    for (const [k, found] of recognised.entries()) {
      const face = found.length === 1 ? found[0]! : null;
      if (!face) continue;
      const d = descriptorDistance(face.descriptor, reference.descriptor);
      maxDistance = Math.max(maxDistance ?? 0, d);
      if (d > thresholds.faceMatchMaxDistance) {
        problems.push({
          code,
          frame: recognisedFrames[k]!,
          detail: `face distance ${d.toFixed(2)} above ${thresholds.faceMatchMaxDistance}`,
        });
        return;
      }
    }
  };
  compare('identity_changed', first);
  compare('not_selfie_person', selfieFace);
  return {
    status: 'judged',
    analysis,
    problems,
    frames: parsed.frames.length,
    maxDistance,
    recognisedFrames,
    yaws: observations.map((o) => (o.face ? Math.round(o.face.yaw) : null)),
  };
}
