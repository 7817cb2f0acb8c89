// The graphql-js oracle for Tandem's answers with field errors.
//
//   node oracle.mjs <schema.graphql> < cases.json
//
// cases.json: [{ "name", "query", "variables", "operationName", "response" }], where `response` is
// what Tandem answered. For each case graphql-js (the reference implementation) executes the
// same document over the same schema, with a field resolver that reads Tandem's answer: it
// raises where Tandem reported an error at that path, answers an empty object where Tandem's
// value is missing or null but errors lie below it (so that graphql-js reaches them), and
// otherwise returns Tandem's value. graphql-js then applies the spec's rules (a failed field is
// null; a null in a non-null position nulls the nearest nullable parent) and its `data` must
// have exactly Tandem's shape: the same keys, nulls and values. Key order is reported apart
// (`ordered`): the spec says a response SHOULD keep the selection's order, and async-graphql
// puts the fields of objects it resolves itself in the order their resolvers finish.
//
// Prints one JSON line per case ({ name, same, tandem, graphqljs, errors }) and exits 1 when a
// case differs, 2 when a document does not validate.
import { readFileSync } from "node:fs";
import {
  buildSchema,
  execute,
  getNullableType,
  isListType,
  parse,
  validate,
} from "graphql";

const schema = buildSchema(readFileSync(process.argv[2], "utf8"));
const cases = JSON.parse(readFileSync(0, "utf8"));

function pathOf(infoPath) {
  const out = [];
  for (let p = infoPath; p; p = p.prev) out.unshift(p.key);
  return out;
}

const startsWith = (path, prefix) =>
  path.length >= prefix.length && prefix.every((s, i) => path[i] === s);

// A value as JSON with every object's keys sorted: the shape, whatever the order of the keys.
const canonical = (value) =>
  JSON.stringify(value, (_key, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
      : v,
  );

let failed = 0;
let unordered = 0;
for (const c of cases) {
  const document = parse(c.query);
  const invalid = validate(schema, document);
  if (invalid.length > 0) {
    console.log(JSON.stringify({ name: c.name, invalid: invalid.map(String) }));
    process.exit(2);
  }
  const errorPaths = (c.response.errors ?? []).filter((e) => e.path).map((e) => e.path);
  const at = (path) => errorPaths.some((e) => e.length === path.length && startsWith(e, path));
  const below = (path) => errorPaths.some((e) => e.length > path.length && startsWith(e, path));

  // A stand-in for a value Tandem lost (a list's items are those errors point into).
  const standIn = (type, path) => {
    const t = getNullableType(type);
    if (!isListType(t)) return {};
    let length = 0;
    for (const e of errorPaths) {
      if (e.length > path.length && startsWith(e, path) && typeof e[path.length] === "number") {
        length = Math.max(length, e[path.length] + 1);
      }
    }
    return Array.from({ length }, (_, i) => standIn(t.ofType, [...path, i]));
  };

  const fieldResolver = (source, _args, _context, info) => {
    const path = pathOf(info.path);
    if (at(path)) throw new Error(`Tandem reported an error at ${JSON.stringify(path)}`);
    const value = source == null ? undefined : source[info.path.key];
    if ((value === undefined || value === null) && below(path)) return standIn(info.returnType, path);
    return value;
  };

  const rootValue = c.response.data ?? (errorPaths.length > 0 ? {} : null);
  const result = await execute({
    schema,
    document,
    rootValue,
    variableValues: c.variables ?? {},
    operationName: c.operationName ?? undefined,
    fieldResolver,
  });
  const graphqljs = JSON.stringify(result.data ?? null);
  const tandem = JSON.stringify(c.response.data ?? null);
  const same = canonical(result.data ?? null) === canonical(c.response.data ?? null);
  if (!same) failed += 1;
  if (graphqljs !== tandem) unordered += 1;
  console.log(
    JSON.stringify({
      name: c.name,
      same,
      ordered: graphqljs === tandem,
      tandem: JSON.parse(tandem),
      graphqljs: JSON.parse(graphqljs),
      errors: (result.errors ?? []).map((e) => ({ message: e.message, path: e.path })),
    }),
  );
}
console.error(
  `${cases.length - failed} of ${cases.length} answers have graphql-js's shape; ` +
    `${cases.length - unordered} also have its key order`,
);
process.exit(failed > 0 ? 1 : 0);
