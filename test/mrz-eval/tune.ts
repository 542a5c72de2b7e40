import { decodeImage } from '../../functions/checks/local/image';
import { ocrModels } from '../../functions/checks/local/models';
import { readMrz } from '../../functions/checks/local/mrz-reader';
import type { MrzDecodeOptions } from '../../functions/domain/mrz-decoding';
import { syntheticImages } from './evaluate';

/**
 * `node --import tsx test/mrz-eval/tune.ts [count] [skip]`: reads the TUNING part of the synthetic documents with the document check's
 * reader and every decoder threshold off, and prints per document the protected posterior, the lowest
 * unprotected confidence, the number of corrections and whether the reading is right, so the thresholds
 * (PADDLE_MRZ_DECODE_OPTIONS in functions/checks/local/mrz-reader.ts) can be chosen. Never run on the
 * evaluation part.
 */
const PERMISSIVE: MrzDecodeOptions = {
  minUnprotectedConfidence: 0,
  minCompositeOnlyConfidence: 0,
  minProtectedPosterior: 0,
  minSymbolProbability: 0,
  maxCorrections: 99,
};

async function main(): Promise<void> {
  const count = process.argv[2] ? Number(process.argv[2]) : undefined;
  const skip = process.argv[3] ? Number(process.argv[3]) : 0;
  const models = await ocrModels();
  for (const image of await syntheticImages('tuning', count, skip)) {
    const decoded = await decodeImage(image.bytes, image.name, 1600);
    const { result } = await readMrz(models, decoded, PERMISSIVE);
    if (typeof result === 'string') {
      console.log(`refused   ${image.name} ${result}`);
      continue;
    }
    const right = result.lines.join('\n') === image.mrz.join('\n');
    console.log(
      `${right ? 'right' : 'WRONG'}     ${image.name} posterior=${(result.protectedPosterior ?? 0).toFixed(4)} unprotected=${result.unprotectedConfidence.toFixed(4)} compositeOnly=${(result.compositeOnlyConfidence ?? 1).toFixed(4)} corrections=${result.corrections.length}${right ? '' : ` read ${result.lines.join(' / ')} truth ${image.mrz.join(' / ')}`}`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
