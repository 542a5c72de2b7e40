import type { CheckProvider } from '../../functions/ports/checks';
import { mockedProvider } from './aws-fixtures';

/** Every member of the check-provider port; the type check below fails when the port gains one. */
const PORT_KEYS = [
  'name',
  'faceIndex',
  'faceLivenessSessions',
  'checkDocument',
  'checkFaceMatch',
  'checkLiveness',
  'faceTemplate',
  'warmUp',
] as const satisfies readonly (keyof CheckProvider)[];
const allPortKeysListed: [Exclude<keyof CheckProvider, (typeof PORT_KEYS)[number]>] extends [never] ? true : false =
  true;

/** The AWS provider is the check-provider port and nothing more: AWS-only operations hang off its port members. */
describe('AWS check provider shape', () => {
  it("exposes exactly the port's members, with faceIndex and faceLivenessSessions present", () => {
    expect(allPortKeysListed).toBe(true);
    const { provider } = mockedProvider();
    expect(Object.keys(provider).sort()).toEqual([...PORT_KEYS].sort());
    expect(provider.name).toBe('aws');
    expect(Object.keys(provider.faceIndex)).toEqual(
      expect.arrayContaining(['indexFace', 'searchDuplicates', 'deleteFaces']),
    );
    expect(Object.keys(provider.faceLivenessSessions).sort()).toEqual([
      'createFaceLivenessSession',
      'getFaceLivenessResult',
    ]);
  });
});
