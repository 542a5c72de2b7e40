import { HEAD_PROMPTS, type HeadPrompt } from './model';

/**
 * Random head-turn challenge: at least one left and one right turn, no two equal neighbours, and, up to
 * three prompts, no pose asked twice (two captures of the same pose are the easiest to replay, and the
 * replay check rightly refuses near-identical frames). A prerecorded clip of one motion cannot satisfy it.
 * `randomInt` returns uniform integers in [0, n) (crypto-backed in production).
 */
export function newChallenge(length: number, randomInt: (n: number) => number): HeadPrompt[] {
  const all: HeadPrompt[] = [...HEAD_PROMPTS];
  if (length <= all.length) {
    // Fisher-Yates over the three poses, then keep the first `length` (re-drawn until both turns are in).
    for (;;) {
      const poses = [...all];
      for (let i = poses.length - 1; i > 0; i--) {
        const j = randomInt(i + 1);
        [poses[i], poses[j]] = [poses[j]!, poses[i]!];
      }
      const seq = poses.slice(0, length);
      if (seq.includes('left') && seq.includes('right')) return seq;
    }
  }
  for (;;) {
    const seq: HeadPrompt[] = [];
    while (seq.length < length) {
      const options = all.filter((p) => p !== seq[seq.length - 1]);
      seq.push(options[randomInt(options.length)]!);
    }
    if (seq.includes('left') && seq.includes('right')) return seq;
  }
}
