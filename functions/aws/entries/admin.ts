import { createAdminHandler, LAMBDA_INLINE_CAPTURE_BYTES } from '../../handlers/admin';
import { createAwsDeps } from '../deps';
import { powertools } from '../observability';

/** Lambda entry: admin API (routes with `lambda: 'admin'`), behind the Cognito operator authorizer. */
export const handler = createAdminHandler(
  createAwsDeps(),
  { maxInlineCaptureBytes: LAMBDA_INLINE_CAPTURE_BYTES },
  powertools(),
);
