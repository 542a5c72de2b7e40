/**
 * @jest-environment ./test/checks/onnx-environment.js
 */
import { cropPortrait } from '../../functions/checks/local/document-check';
import { findFaces, stillImageConfidence } from '../../functions/checks/local/face-analysis';
import { warmUpFaceWorker } from '../../functions/checks/local/face-thread';
import { descriptorDistance } from '../../functions/checks/local/faces';
import { decodeImage } from '../../functions/checks/local/image';
import { DEFAULT_LOCAL_OPTIONS } from '../../functions/checks/local/options';
import { image, readJson, type Labels } from './testdata';

/**
 * The document check's portrait crop: the tiny detector locates the portrait and SSD confirms the face on the
 * crop (the face match's own detector and confidence), SSD searching the whole front only when that fails.
 * Whichever way it was found, the crop must hold the face SSD finds on the whole document: the holder's.
 */
const options = DEFAULT_LOCAL_OPTIONS;
const labels = readJson<Labels>('labels.json');
const confidence = stillImageConfidence(undefined, options);

async function front(file: string) {
  return decodeImage(image(file).bytes, file, options.maxOcrImageSide);
}

beforeAll(() => warmUpFaceWorker(), 120_000);

describe('cropPortrait', () => {
  const withPortrait = labels.documents.filter((d) => d.portrait);

  it('crops the holder face SSD finds on the whole front, confirmed on the crop, mostly located cheaply', async () => {
    const foundBy: string[] = [];
    for (const doc of withPortrait) {
      const decoded = await front(doc.file);
      const crop = await cropPortrait(decoded, options);
      if (!crop) throw new Error(`no portrait on ${doc.file}`);
      foundBy.push(crop.foundBy);
      const onCrop = await findFaces(
        await decodeImage(crop.jpeg, 'portrait', options.maxFaceImageSide),
        confidence,
        options,
      );
      const onFront = await findFaces(decoded, confidence, options);
      expect({ file: doc.file, confirmed: onCrop.length > 0 }).toEqual({ file: doc.file, confirmed: true });
      // Same person as the largest face on the whole front (same photo, other framing: 0.03-0.15 measured).
      const distance = descriptorDistance(onCrop[0]!.descriptor, onFront[0]!.descriptor);
      expect({ file: doc.file, sameFace: distance < 0.3 }).toEqual({ file: doc.file, sameFace: true });
    }
    // The cheap path is the rule, the SSD search of the whole front the exception.
    expect(foundBy.filter((f) => f === 'located').length).toBe(withPortrait.length);
  }, 180_000);

  it('finds no portrait on card backs and on an image without a face', async () => {
    const files = [...labels.documents.filter((d) => !d.portrait).map((d) => d.file), 'faces/noface_road.jpg'];
    for (const file of files)
      expect({ file, crop: await cropPortrait(await front(file), options) }).toEqual({ file, crop: null });
  }, 120_000);
});
