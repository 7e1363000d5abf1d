import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { RequestValidationError } from '../errors/domain-error.js';

/**
 * Fastify's JSON parser, with one difference: Fastify reports a `__proto__` or
 * `constructor.prototype` key as "invalid JSON", losing which key it was. Here such a body is a 400
 * that names the key, like any other field the API does not accept. Parsing is the same
 * secure-json-parse Fastify uses; the body limit still applies.
 */
export function registerJsonBodyParser(fastify: FastifyInstance): void {
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.length === 0) {
      done(Object.assign(new Error('empty JSON body'), { statusCode: 400, code: 'FST_ERR_CTP_EMPTY_JSON_BODY' }), undefined);
      return;
    }
    try {
      done(null, secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch (error) {
      // secure-json-parse says "forbidden prototype property" for both kinds of key.
      const forbidden = error instanceof SyntaxError && error.message.includes('forbidden');
      const key = forbidden ? (text.includes('"__proto__"') ? '__proto__' : 'constructor') : undefined;
      done(
        key
          ? new RequestValidationError([{ path: key, message: `"${key}" is not allowed as a field name` }])
          : Object.assign(new Error('invalid JSON body'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' }),
        undefined,
      );
    }
  });
}
