// Runs the graphql-http server audits against a Tandem server.
//   node audit.mjs URL   (with TANDEM_TOKEN set to a bearer token)
// Prints every result, then one summary line per level: "MUST n passed, m failed".
// Exits non-zero when any MUST fails.
import { serverAudits } from 'graphql-http';
import { getIntrospectionQuery } from 'graphql';

const url = process.argv[2];
const token = process.env.TANDEM_TOKEN;
if (!url || !token) {
  console.error('usage: TANDEM_TOKEN=... node audit.mjs URL');
  process.exit(2);
}
const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers || {});
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
};
const counts = {};
let mustFailed = 0;
for (const audit of serverAudits({ url, fetchFn })) {
  const result = await audit.fn();
  const level = audit.name.split(' ')[0];
  counts[level] ??= { passed: 0, failed: 0 };
  if (result.status === 'ok') {
    counts[level].passed++;
    console.log(`ok    ${audit.name}`);
  } else {
    counts[level].failed++;
    if (level === 'MUST') mustFailed++;
    console.log(`${result.status.padEnd(5)} ${audit.name}: ${result.reason}`);
  }
}
// The full introspection query GraphiQL and code generators send must pass the default limits.
{
  const query = getIntrospectionQuery({
    descriptions: true,
    specifiedByUrl: true,
    directiveIsRepeatable: true,
    schemaDescription: true,
    inputValueDeprecation: true,
  });
  const res = await fetchFn(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query }),
  });
  const body = await res.json();
  counts.MUST ??= { passed: 0, failed: 0 };
  if (res.status === 200 && !body.errors && body.data?.__schema?.queryType?.name === 'Query') {
    counts.MUST.passed++;
    console.log('ok    MUST answer the full introspection query within the default limits');
  } else {
    counts.MUST.failed++;
    mustFailed++;
    console.log(`error MUST answer the full introspection query within the default limits: ${res.status} ${JSON.stringify(body.errors)}`);
  }
}
for (const [level, c] of Object.entries(counts)) {
  console.log(`${level} ${c.passed} passed, ${c.failed} failed`);
}
process.exit(mustFailed ? 1 : 0);
