import { z } from 'zod';
import { isoDateTimeSchema, uuidSchema } from './common.schema.js';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;
export const EMAIL_MAX_LENGTH = 254;

/** Trimmed and lower-cased before validation, so `A@X.io ` and `a@x.io` are one account. */
export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(EMAIL_MAX_LENGTH)
  .pipe(z.email())
  .meta({ format: 'email', pattern: z.regexes.email.source });

/** Well-formed UTF-16: every surrogate paired. A lone one cannot be normalised (NFKC) or encoded as UTF-8. */
const WELL_FORMED = /^(?:[^\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/;
const wellFormed = (schema: z.ZodString) =>
  schema.regex(WELL_FORMED, { message: 'must be valid Unicode text (no lone surrogate code units)' });

/** Passwords are NFKC-normalised by the server before hashing and checking (the length counts as sent). */
export const passwordSchema = wellFormed(z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH));

export const registerSchema = z.strictObject({
  email: emailSchema,
  password: passwordSchema,
});
export type RegisterInput = z.infer<typeof registerSchema>;

/** Login checks only the length bounds; wrong credentials are a 401, not a 400. */
export const loginSchema = z.strictObject({
  email: emailSchema,
  password: wellFormed(z.string().min(1).max(PASSWORD_MAX_LENGTH)),
});
export type LoginInput = z.infer<typeof loginSchema>;

export const userSchema = z.strictObject({
  id: uuidSchema,
  email: z.string(),
  createdAt: isoDateTimeSchema,
}).meta({ id: 'User' });
export type User = z.infer<typeof userSchema>;

export const authResponseSchema = z.strictObject({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int().positive(),
  user: userSchema,
}).meta({ id: 'AuthResponse' });
export type AuthResponse = z.infer<typeof authResponseSchema>;
