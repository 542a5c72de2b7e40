import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { encodeFrameSequence } from '../../functions/domain/frame-sequence';
import { TESTDATA } from './testdata';

/**
 * Builds frame-sequence containers (the hosted page's liveness recording) from test images, as the page
 * would: each frame downscaled to 320 px wide JPEG, stamped with a capture time.
 */

export const LIVENESS_DIR = join(TESTDATA, 'liveness');

/** person_a's continuous head-turn sweep (right, frontal, left, frontal, right), in order. */
export function personAFrames(): string[] {
  const dir = join(LIVENESS_DIR, 'person_a');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jpg'))
    .sort()
    .map((f) => join(dir, f));
}

/** Every .jpg of a liveness person, sorted by name (their capture order). */
export function personFrames(person: 'person_b' | 'person_c'): string[] {
  const dir = join(LIVENESS_DIR, person);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jpg'))
    .sort()
    .map((f) => join(dir, f));
}

/** The recording's JPEG for one image: 320 px wide, quality 80 (as the page encodes it). */
export async function sequenceFrame(file: string): Promise<Buffer> {
  return sharp(file).resize({ width: 320 }).jpeg({ quality: 80 }).toBuffer();
}

/**
 * A container of `files` in the given order, the i-th stamped `times[i]` ms (default: one frame every
 * `intervalMs`, 250 ms = 4 fps).
 */
export async function buildSequence(
  files: string[],
  opts: { intervalMs?: number; times?: number[] } = {},
): Promise<Buffer> {
  const interval = opts.intervalMs ?? 250;
  const frames = await Promise.all(files.map(sequenceFrame));
  return Buffer.from(encodeFrameSequence(frames.map((bytes, i) => ({ bytes, t: opts.times?.[i] ?? i * interval }))));
}
