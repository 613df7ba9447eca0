import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validate } from 'class-validator';
import { AppError } from '../../errors.js';

/** One invalid field, as problem+json `errors` lists it. */
export interface FieldError {
  field: string;
  message: string;
}

export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
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

/** Validates a plain object as the pipe would (for items inside a body, e.g. a batch); errors are under `field`. */
export async function validateAs<T extends object>(type: ClassConstructor<T>, plain: unknown, field: string): Promise<{ value: T; errors: FieldError[] }> {
  const value = plainToInstance(type, plain);
  const errors = flattenValidationErrors(await validate(value, { whitelist: true, forbidNonWhitelisted: true }), field);
  return { value, errors };
}
