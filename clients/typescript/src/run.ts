// Runs each typed operation against a live Tandem server holding the demo data and checks the
// typed results:
//
//   node dist/run.js <graphql url> [token]      (the token may come from TANDEM_TOKEN instead)
//
// The token must be allowed to update accounts (ADMIN or CS_MANAGER). Prints one line per
// check and exits non-zero at the first that fails.

import assert from "node:assert/strict";

import { TandemClient, type Response } from "./client.js";
import {
  AccountChangesDocument,
  AccountEventKind,
  AccountEventsDocument,
  AccountForEditDocument,
  DashboardDocument,
  EngagementPhasesDocument,
  HealthStatus,
  PhaseStatus,
  TouchTier,
  UpdateAccountPlanDocument,
  type AccountChangesSubscription,
  type AccountEventsQuery,
  type DashboardQuery,
} from "./generated/graphql.js";

type DashboardAccount = DashboardQuery["accounts"]["nodes"][number];
type AccountEvent = AccountChangesSubscription["accountChanges"];

/** How long the subscription may take to deliver the event a mutation caused. */
const EVENT_TIMEOUT_MS = 10_000;

function oneOf<T extends string>(values: Record<string, T>, value: string, what: string): void {
  assert.ok(
    (Object.values(values) as string[]).includes(value),
    `${what} ${value} is not one of the generated values ${Object.values(values).join(", ")}`,
  );
}

/** The `sub` claim of a JWT, read without checking it (the server does that). */
function subject(token: string): string {
  const payload = token.split(".")[1];
  assert.ok(payload !== undefined, "the token is not a JWT");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { sub?: unknown };
  assert.equal(typeof claims.sub, "string", "the token has no sub claim");
  return claims.sub as string;
}

/** (1) The dashboard the benchmark runs: a page of accounts with engagements, phases, health. */
async function dashboard(client: TandemClient): Promise<DashboardAccount[]> {
  const { accounts } = await client.data(DashboardDocument, {});
  assert.ok(accounts.nodes.length > 0, "the dashboard lists no account: is the demo data loaded?");
  assert.equal(accounts.nodes.length, Math.min(50, accounts.totalCount));
  for (const account of accounts.nodes) {
    assert.ok(account.id.length > 0 && account.name.length > 0, `account ${JSON.stringify(account)}`);
    oneOf(TouchTier, account.touchTier, "touch tier");
    assert.ok(account.arr === null || Number.isInteger(account.arr.amountMinor), `ARR of ${account.name}`);
    if (account.health !== null) {
      oneOf(HealthStatus, account.health.status, "health status");
      assert.ok(!Number.isNaN(Date.parse(account.health.computedAt)), account.health.computedAt);
    }
    for (const engagement of account.engagements) {
      assert.deepEqual(
        engagement.phases.map((p) => p.position),
        engagement.phases.map((_, i) => i + 1),
        `phases of ${engagement.name} are not in order from 1`,
      );
      for (const phase of engagement.phases) {
        oneOf(PhaseStatus, phase.status, "phase status");
      }
    }
  }
  const engagements = accounts.nodes.flatMap((a) => a.engagements);
  assert.ok(engagements.some((e) => e.phases.length > 0), "no engagement with phases on the dashboard");
  assert.ok(accounts.nodes.some((a) => a.health !== null), "no account with a health score");
  console.log(
    `ok dashboard: ${accounts.nodes.length} of ${accounts.totalCount} accounts, ` +
      `${engagements.length} engagements, ${engagements.flatMap((e) => e.phases).length} phases`,
  );
  return [...accounts.nodes];
}

/** (2) An engagement's phases: the same as on the dashboard, with progress and what blocks. */
async function engagementPhases(client: TandemClient, accounts: DashboardAccount[]): Promise<void> {
  const listed = accounts
    .flatMap((a) => a.engagements)
    .reduce((best, e) => (e.phases.length > best.phases.length ? e : best));
  const { engagement } = await client.data(EngagementPhasesDocument, { id: listed.id });
  assert.ok(engagement !== null, `engagement ${listed.id} not found`);
  assert.equal(engagement.name, listed.name);
  assert.deepEqual(
    engagement.phases.map((p) => p.id),
    listed.phases.map((p) => p.id),
    "the engagement's phases differ from the dashboard's",
  );
  assert.equal(engagement.progress.totalPhases, engagement.phases.length);
  const accepted = engagement.phases.filter((p) => p.status === PhaseStatus.Accepted).length;
  assert.equal(engagement.progress.acceptedPhases, accepted);
  assert.equal(engagement.progress.byCount, accepted / engagement.phases.length);
  const status = new Map(engagement.phases.map((p) => [p.id, p.status]));
  for (const phase of engagement.phases) {
    const dependencies = new Set(phase.dependsOn.map((d) => d.id));
    for (const blocker of phase.blockedBy) {
      assert.ok(dependencies.has(blocker.id), `${blocker.name} blocks ${phase.name} but is not a dependency`);
      const blockerStatus = status.get(blocker.id);
      assert.ok(
        blockerStatus !== PhaseStatus.Delivered && blockerStatus !== PhaseStatus.Accepted,
        `${blocker.name} is ${String(blockerStatus)} yet blocks ${phase.name}`,
      );
    }
  }
  console.log(
    `ok engagement phases: ${engagement.name} (${engagement.account.name}), ` +
      `${accepted}/${engagement.phases.length} accepted`,
  );
}

/** (3) Optimistic concurrency: an update naming a stale version is refused with CONFLICT. */
async function staleUpdateConflicts(client: TandemClient, accountId: string): Promise<void> {
  const { account } = await client.data(AccountForEditDocument, { id: accountId });
  assert.ok(account !== null, `account ${accountId} not found`);
  const plan = `Typed client ${Date.now()}`;
  const { updateAccount } = await client.data(UpdateAccountPlanDocument, {
    id: account.id,
    version: account.version,
    plan,
  });
  assert.equal(updateAccount.account.version, account.version + 1);
  assert.equal(updateAccount.account.plan, plan);

  const stale = await client.request(UpdateAccountPlanDocument, {
    id: account.id,
    version: account.version,
    plan: "Stale",
  });
  assert.equal(stale.data ?? null, null, "a refused update returned data");
  const error = stale.errors?.[0];
  assert.ok(error !== undefined, "a stale version was accepted");
  assert.equal(error.extensions?.["code"], "CONFLICT", JSON.stringify(stale.errors));
  assert.deepEqual(error.path, ["updateAccount"]);
  assert.match(error.message, new RegExp(`version ${account.version}\\b.*version ${account.version + 1}\\b`));

  const after = await client.data(AccountForEditDocument, { id: accountId });
  assert.equal(after.account?.version, account.version + 1, "the refused update changed the version");
  assert.equal(after.account?.plan, plan, "the refused update changed the plan");
  console.log(`ok conflict: version ${account.version} refused at ${account.version + 1}: ${error.message}`);
}

/** The cursor of the account's newest stored event, paging to the end. */
async function lastCursor(client: TandemClient, accountId: string): Promise<string | null> {
  let after: string | null = null;
  for (;;) {
    const { accountEvents }: AccountEventsQuery = await client.data(AccountEventsDocument, { accountId, after });
    if (accountEvents.pageInfo.endCursor !== null) {
      after = accountEvents.pageInfo.endCursor;
    }
    if (!accountEvents.pageInfo.hasNextPage) {
      return after;
    }
  }
}

/** Waits for the next subscription event, failing after EVENT_TIMEOUT_MS. */
async function nextEvent(events: AsyncIterableIterator<Response<AccountChangesSubscription>>): Promise<AccountEvent> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no event within ${EVENT_TIMEOUT_MS} ms`)), EVENT_TIMEOUT_MS);
  });
  try {
    const next = await Promise.race([events.next(), timeout]);
    assert.ok(next.done !== true, "the subscription ended");
    const event = next.value.data?.accountChanges;
    assert.ok(event !== undefined, `an event without data: ${JSON.stringify(next.value)}`);
    return event;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * (4) `accountChanges` over graphql-transport-ws: resumed after the account's last stored
 * event, it delivers the event of an update made after subscribing, and nothing before it.
 */
async function subscriptionSeesUpdate(client: TandemClient, accountId: string, actor: string): Promise<void> {
  const cursor = await lastCursor(client, accountId);
  assert.ok(cursor !== null, `account ${accountId} has no stored event to resume after`);
  const events = client.subscribe(AccountChangesDocument, { accountId, after: cursor });
  try {
    const pending = nextEvent(events);
    const { account } = await client.data(AccountForEditDocument, { id: accountId });
    assert.ok(account !== null, `account ${accountId} not found`);
    const plan = `Followed ${Date.now()}`;
    await client.data(UpdateAccountPlanDocument, { id: accountId, version: account.version, plan });
    const event = await pending;
    assert.ok(BigInt(event.cursor) > BigInt(cursor), `event ${event.cursor} is not after ${cursor}`);
    assert.equal(event.kind, AccountEventKind.AccountUpdated);
    assert.equal(event.accountId, accountId);
    assert.equal(event.actor, actor);
    assert.ok(!Number.isNaN(Date.parse(event.occurredAt)), event.occurredAt);
    assert.deepEqual(
      event.changes.find((c) => c.field === "plan"),
      { field: "plan", before: account.plan, after: plan },
      JSON.stringify(event.changes),
    );
    console.log(`ok subscription: event ${event.cursor} after ${cursor}: plan -> ${plan}`);
  } finally {
    await events.return?.();
  }
}

async function main(): Promise<void> {
  const [url, tokenArgument] = process.argv.slice(2);
  const token = tokenArgument ?? process.env["TANDEM_TOKEN"];
  if (url === undefined || token === undefined || token === "") {
    console.error("usage: node dist/run.js <graphql url> [token]   (or set TANDEM_TOKEN)");
    process.exit(2);
  }
  const client = new TandemClient(url, token);
  try {
    const accounts = await dashboard(client);
    await engagementPhases(client, accounts);
    const [first, second] = accounts;
    assert.ok(first !== undefined && second !== undefined, "the dashboard needs two accounts");
    await staleUpdateConflicts(client, first.id);
    await subscriptionSeesUpdate(client, second.id, subject(token));
  } finally {
    await client.close();
  }
  console.log("all typed operations passed");
}

main().catch((error: unknown) => {
  console.error("FAILED:", error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
