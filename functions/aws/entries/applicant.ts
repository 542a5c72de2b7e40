import { createApplicantHandler } from '../../handlers/applicant';
import { createAwsDeps } from '../deps';
import { powertools } from '../observability';

/** Lambda entry: applicant API (routes with `lambda: 'applicant'`), authorized by the client token. */
export const handler = createApplicantHandler(createAwsDeps(), powertools());
