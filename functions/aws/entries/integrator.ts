import { createIntegratorHandler } from '../../handlers/integrator';
import { createAwsDeps } from '../deps';
import { powertools } from '../observability';

/** Lambda entry: integrator API (routes with `lambda: 'integrator'`), behind the KYC-key authorizer. */
export const handler = createIntegratorHandler(createAwsDeps(), powertools());
