import { resolve } from 'node:path';

/**
 * The developers' shared test set, `../shared/testdata` beside the repository (as on CI, where the clone
 * and a copy of shared/ sit side by side). `KYC_TESTDATA` overrides it. Tests and benchmarks only: the
 * product never reads it.
 */
export const TESTDATA = process.env.KYC_TESTDATA ?? resolve(__dirname, '..', '..', '..', 'shared', 'testdata');
