import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One Powertools logger for every handler in both runtimes (JSON lines on stdout; CloudWatch on AWS).
 * Never log request bodies, keys, client tokens, emails or images: log ids and codes only.
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'kyc',
  logLevel: (process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'ERROR' : 'INFO')) as 'INFO',
});
