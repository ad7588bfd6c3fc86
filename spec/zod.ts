/**
 * The one door to zod: every module imports it from here (eslint.config.mjs holds them to it), so that
 * the setting below is in place before any schema is built.
 *
 * jitless: by default zod compiles a parser for each object schema with `new Function` the first time
 * it parses, to make later parses faster. A plugin process parses each schema a few times and exits,
 * so the compiling is all cost: it was about a fifth of zod's share of an ADD (`make bench`, README
 * "Performance"). zod reads the setting when an object schema is constructed, hence here.
 */
import * as z from 'zod';

z.config({ jitless: true });

export * from 'zod';
