import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findFaces } from '../../functions/checks/local/face-analysis';
import { warmUpFaceWorker } from '../../functions/checks/local/face-thread';
import type { DetectedFace } from '../../functions/checks/local/faces';
import { decodeImage, type RgbImage } from '../../functions/checks/local/image';
import { DEFAULT_LOCAL_OPTIONS } from '../../functions/checks/local/options';
import { sequenceFrame } from '../support/liveness-sequences';
import { TESTDATA } from '../support/testdata';

/**
 * `npm run eval:head-pose`: how the head yaw (functions/domain/head-pose.ts) reads faces, on the product's own
 * paths: a recording's 320 px frames (`light` analysis) and full-resolution stills (`recognise`, SSD where the
 * tiny detector finds nothing). Nothing in the measure was fitted to these images (the 3D face is MediaPipe's,
 * the camera a fixed assumption, the 20 degree threshold the usual one), so every set here is an evaluation set.
 * - labelled: testdata/liveness frames against their labels (a face mesh fitted in perspective), per person and
 *   per labelled turn strength;
 * - portraits: the studio and press portraits of testdata/faces (8 other people, facing the camera, not
 *   pose-labelled): how far from 0 they read;
 * - mirror: every face read again in its mirror image: a measure without bias reads the opposite yaw;
 * - resolution: every face read at 160, 320 and 640 px wide: the spread.
 * Last line: `eval:head-pose labelled_median_err=<deg> slight_max=<deg> clear_peak_min=<deg> studio_frontal_max=<deg>
 * mirror_median=<deg> resolution_median_spread=<deg>`.
 */

interface Label {
  file: string;
  person: string;
  approx_yaw_degrees: number;
  yaw_uncertainty_degrees: number;
  turn_strength: 'none' | 'slight' | 'clear' | 'strong';
}

const LIVENESS = path.join(TESTDATA, 'liveness');

/** Images where the detector saw more than one face (the product then reads no pose: `multiple_faces`). */
let multiple = 0;

/** The one face's yaw, as the product reads a frame: none when the detector sees no face or several. */
function onlyYaw(faces: readonly DetectedFace[]): number | null {
  if (faces.length > 1) multiple++;
  return faces.length === 1 ? faces[0]!.yaw : null;
}

/** A prompt's still, as the local liveness check reads it (`recognise`, SSD where that finds nothing). */
async function stillYaw(image: RgbImage): Promise<number | null> {
  const faces = await findFaces(image, 0.3, DEFAULT_LOCAL_OPTIONS, 'recognise');
  return onlyYaw(faces.length > 0 ? faces : await findFaces(image, 0.3, DEFAULT_LOCAL_OPTIONS, 'full'));
}

/** A recording's frame, as the sequence observer reads it (`light`). */
async function recordingYaw(image: RgbImage): Promise<number | null> {
  return onlyYaw(await findFaces(image, 0.3, DEFAULT_LOCAL_OPTIONS, 'light'));
}

function mirrored(image: RgbImage): RgbImage {
  const data = Buffer.alloc(image.data.length);
  for (let y = 0; y < image.height; y++)
    for (let x = 0; x < image.width; x++)
      image.data.copy(
        data,
        (y * image.width + x) * 3,
        (y * image.width + image.width - 1 - x) * 3,
        (y * image.width + image.width - x) * 3,
      );
  return { ...image, data };
}

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0
    ? Number.NaN
    : s.length % 2
      ? s[(s.length - 1) / 2]!
      : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const quantile = (values: number[], q: number): number =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))] ?? Number.NaN;
const f1 = (n: number): string => n.toFixed(1);

async function main(): Promise<void> {
  await warmUpFaceWorker();
  const labels = JSON.parse(readFileSync(path.join(LIVENESS, 'labels.json'), 'utf8')) as Label[];
  const mirrorGaps: number[] = [];
  const spreads: number[] = [];
  const worst = { mirror: { gap: -1, name: '' }, spread: { gap: -1, name: '' } };
  const note = (kind: 'mirror' | 'spread', gap: number, name: string) => {
    if (gap > worst[kind].gap) worst[kind] = { gap, name };
  };

  const readBoth = async (image: RgbImage, name: string, read: (img: RgbImage) => Promise<number | null>) => {
    const yaw = await read(image);
    const flipped = await read(mirrored(image));
    if (yaw !== null && flipped !== null) {
      mirrorGaps.push(Math.abs(yaw + flipped));
      note('mirror', Math.abs(yaw + flipped), name);
    }
    return yaw;
  };
  const resolutionSpread = async (bytes: Buffer, name: string) => {
    const yaws: number[] = [];
    for (const width of [160, 320, 640]) {
      const image = await decodeImage(bytes, name, width);
      const yaw = await recordingYaw(image);
      if (yaw !== null) yaws.push(yaw);
    }
    if (yaws.length >= 2) {
      spreads.push(Math.max(...yaws) - Math.min(...yaws));
      note('spread', Math.max(...yaws) - Math.min(...yaws), name);
    }
  };

  console.log('labelled (testdata/liveness), |measured - label| in degrees:');
  const errors: number[] = [];
  const byStrength = new Map<string, number[]>();
  for (const person of [...new Set(labels.map((l) => l.person))]) {
    const rows: string[] = [];
    const personErrors: Record<'recording' | 'still', number[]> = { recording: [], still: [] };
    let missed = 0;
    for (const label of labels.filter((l) => l.person === person)) {
      const bytes = readFileSync(path.join(LIVENESS, label.file));
      const recording = await readBoth(
        await decodeImage(await sequenceFrame(path.join(LIVENESS, label.file)), label.file, 640),
        `${label.file} (recording)`,
        (img) => recordingYaw(img),
      );
      const still = await readBoth(await decodeImage(bytes, label.file, 1024), label.file, (img) => stillYaw(img));
      await resolutionSpread(bytes, label.file);
      if (recording === null) missed++;
      if (recording !== null) {
        personErrors.recording.push(Math.abs(recording - label.approx_yaw_degrees));
        byStrength.set(label.turn_strength, [...(byStrength.get(label.turn_strength) ?? []), Math.abs(recording)]);
      }
      if (still !== null) personErrors.still.push(Math.abs(still - label.approx_yaw_degrees));
      rows.push(
        `    ${path.basename(label.file).padEnd(18)} label ${String(label.approx_yaw_degrees).padStart(4)} ±${label.yaw_uncertainty_degrees}  recording ${recording === null ? '  -  ' : f1(recording).padStart(5)}  still ${still === null ? '  -  ' : f1(still).padStart(5)}`,
      );
    }
    errors.push(...personErrors.recording);
    console.log(
      `  ${person}: recording median ${f1(median(personErrors.recording))} max ${f1(Math.max(...personErrors.recording))} (missed ${missed}); still median ${f1(median(personErrors.still))} max ${f1(Math.max(...personErrors.still))}`,
    );
    if (process.argv.includes('--verbose')) console.log(rows.join('\n'));
  }
  console.log('  |yaw| on the recording by labelled turn strength (none <10, slight 10-19, clear 20-45, strong >45):');
  for (const [strength, values] of byStrength)
    console.log(
      `    ${strength.padEnd(7)} n=${values.length} median ${f1(median(values))} range ${f1(Math.min(...values))}-${f1(Math.max(...values))}`,
    );

  const portraits = (
    JSON.parse(readFileSync(path.join(TESTDATA, 'labels.json'), 'utf8')) as {
      faces: Array<{ file: string; faces: number }>;
    }
  ).faces.filter((f) => f.faces === 1);
  // The London set is frontal by design (studio, "neutral_front"); the press photos only roughly.
  const studio: number[] = [];
  const frontal: number[] = [];
  for (const p of portraits) {
    const bytes = readFileSync(path.join(TESTDATA, p.file));
    const yaw = await readBoth(await decodeImage(bytes, p.file, 1024), p.file, (img) => stillYaw(img));
    await resolutionSpread(bytes, p.file);
    if (yaw !== null) (path.basename(p.file).startsWith('london_') ? studio : frontal).push(Math.abs(yaw));
    if (process.argv.includes('--verbose'))
      console.log(`    ${path.basename(p.file).padEnd(26)} ${yaw === null ? '-' : f1(yaw)}`);
  }
  console.log(
    `portraits (testdata/faces, 8 other people): studio frontal set (London, n=${studio.length}) |yaw| median ${f1(median(studio))} max ${f1(Math.max(...studio))}; press photos (n=${frontal.length}, facing the camera only roughly) median ${f1(median(frontal))} max ${f1(Math.max(...frontal))}`,
  );
  console.log(
    `mirror (every face above, mirrored): |yaw + mirrored yaw| median ${f1(median(mirrorGaps))} p90 ${f1(quantile(mirrorGaps, 0.9))} max ${f1(Math.max(...mirrorGaps))} (${worst.mirror.name}; n=${mirrorGaps.length})`,
  );
  console.log(
    `resolution (160/320/640 px wide): yaw spread median ${f1(median(spreads))} p90 ${f1(quantile(spreads, 0.9))} max ${f1(Math.max(...spreads))} (${worst.spread.name}; n=${spreads.length})`,
  );

  const slight = byStrength.get('slight') ?? [];
  const clearPeaks = ['person_a/frame_013.jpg', 'person_a/frame_022.jpg', 'person_a/frame_005.jpg'];
  const peaks: number[] = [];
  for (const file of clearPeaks) {
    const yaw = await recordingYaw(await decodeImage(await sequenceFrame(path.join(LIVENESS, file)), file, 640));
    if (yaw !== null) peaks.push(Math.abs(yaw));
  }
  console.log(`several faces seen (no pose read) on ${multiple} of the images and frames above`);
  console.log(
    `eval:head-pose labelled_median_err=${f1(median(errors))} slight_max=${f1(Math.max(...slight))} clear_peak_min=${f1(Math.min(...peaks))} studio_frontal_max=${f1(Math.max(...studio))} mirror_median=${f1(median(mirrorGaps))} resolution_median_spread=${f1(median(spreads))}`,
  );
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
