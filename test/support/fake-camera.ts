import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Fake camera videos for Chromium (`--use-file-for-fake-video-capture=<file>.y4m`), built at test time
 * with ffmpeg from the still images in ../shared/testdata (y4m files are large, so they are never
 * committed). Chromium plays the file in real time and loops it; the fake device is per browser.
 */

const run = promisify(execFile);

import { TESTDATA } from './testdata';

export const TESTDATA_DIR = TESTDATA;

export interface VideoSegment {
  /** Absolute image path. */
  image: string;
  /** How long the image stays on screen, seconds. */
  seconds: number;
  /** Optional crop applied before fitting (ffmpeg crop expression `w:h:x:y`), e.g. to bring a face closer. */
  crop?: string;
}

export interface FakeVideoSpec {
  segments: VideoSegment[];
  width: number;
  height: number;
  fps: number;
  /** Colour of the letterbox bars when an image's aspect differs from the frame's (ffmpeg colour). */
  padColor: string;
}

/** Letterbox colour of the document segment: lets a test tell a document still from a face still. */
export const DOCUMENT_MARKER_RGB = [0, 255, 0] as const;

/** Whether ffmpeg can be run. */
export async function ffmpegAvailable(): Promise<boolean> {
  try {
    await run('ffmpeg', ['-version']);
    return true;
  } catch {
    return false;
  }
}

/**
 * Renders the segments into a yuv420p y4m (4:4:4 makes Chromium fail with NotFoundError). Cached in the
 * temp dir by content hash, so several test files share one build.
 */
export async function buildFakeVideo(spec: FakeVideoSpec): Promise<string> {
  const hash = createHash('sha256');
  hash.update(
    JSON.stringify({ ...spec, segments: spec.segments.map((s) => ({ ...s, size: statSync(s.image).size })) }),
  );
  const dir = join(tmpdir(), 'kyc-fake-camera');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `${hash.digest('hex').slice(0, 16)}.y4m`);
  if (existsSync(out)) return out;
  const work = mkdtempSync(join(dir, 'build-'));
  try {
    // Normalise every distinct image to the frame size first: the concat demuxer needs identical inputs.
    const { width: w, height: h } = spec;
    const normalised = new Map<string, string>();
    for (const segment of spec.segments) {
      if (normalised.has(segment.image)) continue;
      const target = join(work, `${normalised.size}.png`);
      const crop = segment.crop ? `crop=${segment.crop},` : '';
      const fit = `${crop}scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:color=${spec.padColor},setsar=1`;
      await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', segment.image, '-vf', fit, target]);
      normalised.set(segment.image, target);
    }
    // concat demuxer: each file with its duration; the last entry is repeated so its duration is honoured.
    const entry = (image: string): string => `file '${normalised.get(image)!}'`;
    const lines = spec.segments.flatMap((s) => [entry(s.image), `duration ${s.seconds}`]);
    lines.push(entry(spec.segments[spec.segments.length - 1]!.image));
    const list = join(work, 'list.txt');
    writeFileSync(list, `${lines.join('\n')}\n`);
    const partial = `${out}.${process.pid}.partial`;
    await run('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'concat',
      '-safe',
      '0',
      '-i',
      list,
      '-vf',
      `fps=${spec.fps},format=yuv420p`,
      '-pix_fmt',
      'yuv420p',
      '-f',
      'yuv4mpegpipe',
      partial,
    ]);
    renameSync(partial, out);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return out;
}

/** Frames of `liveness/person_a`, in order: one continuous right -> frontal -> left -> frontal -> right sweep. */
export function personASweep(): string[] {
  const dir = join(TESTDATA_DIR, 'liveness', 'person_a');
  return readdirSync(dir)
    .filter((f) => /^frame_\d+\.jpg$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * The applicant camera of the end-to-end tests: person_a's synthetic passport held up for a few seconds
 * (green letterbox bars), then person_a turning the head right, to the front, left, to the front and right
 * again (three times; about 3 images a second, a slow deliberate turn), looping. Chromium restarts the file whenever a step opens the
 * camera, so the head-turn step sees the passport, then about 17 s of continuous head motion: every prompt
 * order fits, and the page's recording (which starts once a face is in view) never contains the passport.
 * The near-profile start of the clip (frames 0-4, which detectors miss) is left out, as a real applicant
 * facing the camera never shows it. The document segment is recognised by its green bars.
 */
export async function buildApplicantCamera(): Promise<string> {
  const document = join(TESTDATA_DIR, 'documents', 'synth_td3_uto_person_a.jpg');
  // The source clip is a wide shot (480x270); cropping to its upper middle makes the face fill the frame as
  // in a selfie, and keeps it clearly larger than the passport portrait of the document segment.
  // A cycle through every pose the way an applicant answers prompts: frame_005 (turned right) to frame_019
  // (frontal, after the left turn 011-016), then from the other frontal frame, frame_009, back to the right
  // (008-006). So from either frontal pose the head can go left or right without passing the other side.
  // The clip's own last right turn (020-022) is left out: the page reads it at about -19 degrees, short of a
  // turn, and an applicant would turn further, while the clip would swing back left first (an unprompted
  // turn the server refuses).
  const sweep = personASweep();
  const cycle = [...sweep.slice(5, 20), ...sweep.slice(6, 10).reverse()];
  const motion = [...cycle, ...cycle, ...cycle].map((image) => ({ image, seconds: 0.3, crop: '320:180:80:10' }));
  return buildFakeVideo({
    segments: [{ image: document, seconds: 4 }, ...motion],
    width: 960,
    height: 540,
    fps: 8,
    padColor: '0x00FF00',
  });
}
