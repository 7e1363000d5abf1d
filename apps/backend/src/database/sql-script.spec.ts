import { describe, expect, it } from 'vitest';
import { splitSqlScript } from './sql-script.js';

describe('splitSqlScript', () => {
  it('should split on semicolons outside literals, dropping comments and psql meta-commands', () => {
    const script = [
      '--',
      '-- PostgreSQL database dump',
      '--',
      '\\restrict abc123',
      'SET statement_timeout = 0;',
      "SELECT pg_catalog.set_config('search_path', '', false);",
      '/* a /* nested */ block; comment */ CREATE TABLE public.t (id int); -- trailing; comment',
      '\\unrestrict abc123',
      '',
    ].join('\n');

    expect(splitSqlScript(script)).toEqual([
      'SET statement_timeout = 0',
      "SELECT pg_catalog.set_config('search_path', '', false)",
      'CREATE TABLE public.t (id int)',
    ]);
  });

  it('should keep data that looks like SQL, comments or meta-commands inside its statement', () => {
    const insert = "INSERT INTO public.tasks VALUES ('it''s; -- not a comment', 'line\n\\restrict x\n/* no */', E'a\\'; b', \"we;ird\")";
    const body = 'CREATE FUNCTION f() RETURNS int AS $fn$ SELECT 1; $fn$ LANGUAGE sql';
    const hashes = "INSERT INTO public.users VALUES ('$argon2id$v=19$m=19456;x')";

    expect(splitSqlScript(`${insert};\n${body};\n${hashes};`)).toEqual([insert, body, hashes]);
  });
});
