import { createAdminHandler } from '../../handlers/admin';
import { createAwsDeps } from '../deps';
import { powertools } from '../observability';

/** Lambda entry: admin API (routes with `lambda: 'admin'`), behind the Cognito operator authorizer. */
export const handler = createAdminHandler(createAwsDeps(), {}, powertools());
