import { SetMetadata } from '@nestjs/common';

export const PRODUCES_KEY = 'mcpa:produces';

/** Media types a route answers with, when they differ from JSON and XML (for example text/event-stream). */
export const Produces = (...mediaTypes: string[]) => SetMetadata(PRODUCES_KEY, mediaTypes);
