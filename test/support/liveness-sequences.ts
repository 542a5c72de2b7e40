import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { encodeFrameSequence } from '../../functions/domain/frame-sequence';
import type { HeadPrompt } from '../../functions/domain/model';
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

/**
 * Frames of person_a's sweep (0 = turned right ... 9 = frontal ... 13 = turned left) where each pose is
 * clearest, for walking the clip to any prompt order.
 */
const ANCHOR: Record<HeadPrompt, number> = { right: 3, centre: 9, left: 13 };

/**
 * person_a's clip walked frame by frame (forwards or backwards, both continuous motion) from frontal through
 * each prompt's pose in turn: a recording that follows any prompt order, 4 fps.
 */
export async function sequenceForPrompts(prompts: readonly HeadPrompt[]): Promise<Buffer> {
  const all = personAFrames();
  const path = [ANCHOR.centre];
  for (const prompt of prompts) {
    const target = ANCHOR[prompt];
    let at = path[path.length - 1]!;
    while (at !== target) {
      at += target > at ? 1 : -1;
      path.push(at);
    }
  }
  return buildSequence(path.map((i) => all[i]!));
}

/** A well-formed container of three tiny frames, for tests whose checks are fakes. */
export function tinySequence(jpeg: Buffer): Buffer {
  return Buffer.from(encodeFrameSequence([0, 200, 400].map((t) => ({ bytes: jpeg, t }))));
}
