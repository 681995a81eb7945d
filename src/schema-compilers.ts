import ajvCompiler from '@fastify/ajv-compiler';
import serializerCompiler from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

/*
 * Fastify's own compilers (ajv for requests, fast-json-stringify for responses), run on a route's
 * first request instead of at start-up. Compiling every facade's schemas up front cost about 0.6 s
 * of CPU per start (bench/README.md), while a process — an emulator in someone's test suite above
 * all — may only ever call a handful of routes. A route's first call pays its own compile
 * (milliseconds); the answers are the same. `compileAll` runs what is still pending, so a test can
 * prove that every schema compiles.
 */

// What the compilers are given and give at run time (the packages' own typings say less).
type RouteDefinition = { schema: unknown; method: string; url: string; httpPart?: string };
type Validate = ((data: unknown) => unknown) & { errors?: unknown };
type Factory<Compiled> = (externalSchemas: unknown, options: unknown) => (route: RouteDefinition) => Compiled;
type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;

export interface LazySchemaCompilers {
  compilersFactory: CompilersFactory;
  /** Compiles every schema not compiled yet; returns how many there were. */
  compileAll(): number;
}

/**
 * Node gives header names in lower case. Fastify lower-cases a headers schema's names for its own
 * compiler, and leaves them alone for any other, this one included; so this one does it.
 */
function lowerCaseNames(schema: unknown): unknown {
  if (typeof schema !== 'object' || schema === null) return schema;
  const { properties, required } = schema as { properties?: Record<string, unknown>; required?: unknown };
  return {
    ...schema,
    ...(properties && { properties: Object.fromEntries(Object.entries(properties).map(([name, value]) => [name.toLowerCase(), value])) }),
    ...(Array.isArray(required) && { required: required.map((name) => String(name).toLowerCase()) }),
  };
}

export function lazySchemaCompilers(): LazySchemaCompilers {
  const buildValidator = ajvCompiler() as unknown as Factory<Validate>;
  const buildSerializer = serializerCompiler() as unknown as Factory<(data: unknown) => string>;
  const pending = new Set<() => unknown>();

  function once<T>(compile: () => T): () => T {
    let compiled: T | undefined;
    const get = () => {
      if (compiled === undefined) {
        compiled = compile();
        pending.delete(get);
      }
      return compiled;
    };
    pending.add(get);
    return get;
  }

  const compilersFactory: { buildValidator: Factory<Validate>; buildSerializer: Factory<(data: unknown) => string> } = {
    buildValidator(externalSchemas, options) {
      const compile = buildValidator(externalSchemas, options);
      return (route) => {
        const validator = once(() => compile(route.httpPart === 'headers' ? { ...route, schema: lowerCaseNames(route.schema) } : route));
        // Fastify reads a failed validation's reasons from the function's `errors`, as ajv leaves them.
        const validate: Validate = (data) => {
          const fn = validator();
          const result = fn(data);
          validate.errors = fn.errors;
          return result;
        };
        return validate;
      };
    },
    buildSerializer(externalSchemas, options) {
      const compile = buildSerializer(externalSchemas, options);
      return (route) => {
        const serializer = once(() => compile(route));
        return (data) => serializer()(data);
      };
    },
  };

  return {
    compilersFactory: compilersFactory as unknown as CompilersFactory,
    compileAll() {
      const count = pending.size;
      for (const compile of [...pending]) compile();
      return count;
    },
  };
}
