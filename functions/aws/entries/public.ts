import { createPublicHandler } from '../../handlers/public';
import { createAwsDeps } from '../deps';

/** Lambda entry: public routes (OpenAPI document, health probe). */
export const handler = createPublicHandler(createAwsDeps());
