import type { Type } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants.js';

/** The path a controller method is served at, read from its @Controller and @Get metadata (`/health/live`). */
export function routePath<T>(controller: Type<T>, handler: keyof T & string): string {
  const segments = [Reflect.getMetadata(PATH_METADATA, controller), Reflect.getMetadata(PATH_METADATA, controller.prototype[handler])];
  return `/${segments.map((segment) => String(segment ?? '').replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/')}`;
}
