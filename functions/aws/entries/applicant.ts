import { createApplicantHandler } from '../../handlers/applicant';
import { createAwsDeps } from '../deps';

/** Lambda entry: applicant API (routes with `lambda: 'applicant'`), authorized by the client token. */
export const handler = createApplicantHandler(createAwsDeps());
