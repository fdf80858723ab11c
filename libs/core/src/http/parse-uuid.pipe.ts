import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { ValidationFailedException } from '../errors/domain.exception.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path id that must be a UUID: anything else is a 400 naming the parameter, before any query runs. */
@Injectable()
export class ParseUuidPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (UUID.test(value)) return value.toLowerCase();
    const name = metadata.data ?? 'id';
    throw new ValidationFailedException([{ pointer: `/${name}`, message: `${name} must be a UUID` }], `The path parameter ${name} must be a UUID.`);
  }
}
