import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'mcpa:public';
export const SKIP_RATE_LIMIT = 'mcpa:skip-rate-limit';

/** Opens a route (or a whole controller) to anonymous callers: the global auth guard lets it through. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Exempts a route (or a whole controller) from rate limiting: probes must answer however often they are polled. */
export const SkipRateLimit = () => SetMetadata(SKIP_RATE_LIMIT, true);
