import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, ValidationFailedException } from '../errors/domain.exception.js';

function flatten(errors: ValidationError[], parents: string[] = []): FieldError[] {
  return errors.flatMap((error) => {
    const path = [...parents, error.property];
    const own = Object.values(error.constraints ?? {}).map((message) => ({ pointer: `/${path.join('/')}`, message }));
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

/** The global pipe: unknown properties are refused, and each failure is named by a JSON pointer. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => new ValidationFailedException(flatten(errors)),
  });
}
