import { createPublicHandler } from '../../handlers/public';
import { loadAwsPublicUrl } from '../config';
import { powertools } from '../observability';

/**
 * Lambda entry: public routes (OpenAPI document, health probe). They read no data, so this entry builds
 * no AWS clients at all: only the public URL the OpenAPI document names.
 */
export const handler = createPublicHandler({ config: { publicUrl: loadAwsPublicUrl() } }, powertools());
