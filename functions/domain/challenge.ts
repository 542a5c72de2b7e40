import type { HeadPrompt } from './model';

/**
 * Random head-turn challenge: a sequence of prompts with no two equal neighbours, at least one left
 * and one right turn, so a prerecorded clip of one motion cannot satisfy it. `random` returns
 * uniform integers in [0, n) (crypto-backed in production).
 */
export function newChallenge(length: number, randomInt: (n: number) => number): HeadPrompt[] {
  const all: HeadPrompt[] = ['left', 'right', 'centre'];
  for (;;) {
    const seq: HeadPrompt[] = [];
    while (seq.length < length) {
      const options = all.filter((p) => p !== seq[seq.length - 1]);
      seq.push(options[randomInt(options.length)]!);
    }
    if (seq.includes('left') && seq.includes('right')) return seq;
  }
}
