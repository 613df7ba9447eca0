import { applyDecorators } from '@nestjs/common';
import { IsObject, IsString, Matches, MaxLength, ValidateBy } from 'class-validator';

/**
 * An absolute http(s) URL with a host, as a browser parses it (WHATWG): `http://2130706433/` is
 * 127.0.0.1 and passes here, so the URL guard can refuse it for what it is (`url_not_allowed`).
 */
export function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** An ISO 639 language code, optionally with a region or script: `en`, `pt-BR`, `zh_Hant`. */
export const LANGUAGE_CODE = /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/;

/** A field holding an absolute http(s) URL of at most `maxLength` characters. */
export const IsHttpUrl = (field: string, maxLength = 4096) =>
  applyDecorators(
    IsString(),
    MaxLength(maxLength),
    ValidateBy({ name: 'isHttpUrl', validator: { validate: isHttpUrl, defaultMessage: () => `${field} must be an absolute http(s) URL` } }),
  );

/** A field holding a language code (`example` shows one in the error). */
export const IsLanguageCode = (field: string, example: string) =>
  applyDecorators(IsString(), Matches(LANGUAGE_CODE, { message: `${field} must be a language code such as ${example}` }));

/** Largest `metadata` a request may carry (it is stored with the job and echoed in results and webhooks). */
export const MAX_METADATA_BYTES = 16 * 1024;

/** A caller's free-form object, at most MAX_METADATA_BYTES as JSON. */
export const IsMetadata = () =>
  applyDecorators(
    IsObject(),
    ValidateBy({
      name: 'isMetadata',
      validator: {
        validate: (value: unknown) => Buffer.byteLength(JSON.stringify(value ?? null)) <= MAX_METADATA_BYTES,
        defaultMessage: () => `metadata must be at most ${MAX_METADATA_BYTES / 1024} KB as JSON`,
      },
    }),
  );
