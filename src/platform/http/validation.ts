import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { AppError } from '../../errors.js';

export function flattenValidationErrors(errors: ValidationError[], parent = ''): Array<{ field: string; message: string }> {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flattenValidationErrors(e.children ?? [], field)];
  });
}

/** DTO validation: unknown fields are refused; every invalid field is listed in `errors`. */
export const validationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors) => {
    const list = flattenValidationErrors(errors);
    return new AppError('validation_failed', list.map((e) => e.message).join('; ') || 'Invalid request', { errors: list });
  },
});
