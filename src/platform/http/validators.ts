import { applyDecorators } from '@nestjs/common';
import { IsString, IsUrl, Matches, MaxLength } from 'class-validator';

/** Absolute http(s) URLs only; hosts without a TLD are fine (the URL guard decides what may be reached). */
export const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false, allow_underscores: true };

/** An ISO 639 language code, optionally with a region or script: `en`, `pt-BR`, `zh_Hant`. */
export const LANGUAGE_CODE = /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/;

/** A field holding an absolute http(s) URL of at most `maxLength` characters. */
export const IsHttpUrl = (field: string, maxLength = 4096) =>
  applyDecorators(IsString(), MaxLength(maxLength), IsUrl(URL_OPTIONS, { message: `${field} must be an absolute http(s) URL` }));

/** A field holding a language code (`example` shows one in the error). */
export const IsLanguageCode = (field: string, example: string) =>
  applyDecorators(IsString(), Matches(LANGUAGE_CODE, { message: `${field} must be a language code such as ${example}` }));
