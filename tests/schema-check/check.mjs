// Compares a repository's schema.graphql with the one at an earlier commit (BASE) and refuses
// a breaking change that the commits since BASE do not mark as intended. Run it through
// `scripts/schema-check [-C DIR] [BASE]`; the rules are written out in CHANGELOG.md.
//
//   node check.mjs REPO_DIR [BASE]
//
// Exit status: 0 the change is acceptable (or there is nothing to compare), 1 refused,
// 2 the check could not run (not a git repository, BASE is not a commit, bad arguments).

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { diff, CriticalityLevel } from "@graphql-inspector/core";
import { buildSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType } from "graphql";

const SCHEMA = "schema.graphql";
const CHANGELOG = "CHANGELOG.md";
const TRAILER = "Schema-Break";
const LEVELS = [CriticalityLevel.Breaking, CriticalityLevel.Dangerous, CriticalityLevel.NonBreaking];
/** Removals that must have been `@deprecated` at BASE, even when the break is marked. */
const MUST_BE_DEPRECATED = new Set(["FIELD_REMOVED", "INPUT_FIELD_REMOVED", "ENUM_VALUE_REMOVED"]);

/** Stops the check: `code` 1 means refused, 2 means it could not run. */
class Stop extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** Runs git in `dir`; returns its output, or null when it exits non-zero. */
function git(dir, args) {
  try {
    return execFileSync("git", ["-C", dir, ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    if (error.code === "ENOENT") throw new Stop(2, "git is not installed");
    return null;
  }
}

/** The commit BASE names, or a reason why there is nothing to compare with. */
function resolveBase(root, base, explicit) {
  const sha = git(root, ["rev-parse", "--verify", "--quiet", `${base}^{commit}`]);
  if (sha) return { sha: sha.trim() };
  if (explicit) {
    throw new Stop(2, `'${base}' is not a commit in ${root} (fetch it, or name another BASE)`);
  }
  if (git(root, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]) === null) {
    return { none: "the repository has no commit yet" };
  }
  if (git(root, ["rev-parse", "--is-shallow-repository"])?.trim() === "true") {
    return {
      none: "this is a shallow clone without HEAD's parent (`git fetch --deepen=1` brings it)",
    };
  }
  return { none: "HEAD is the first commit" };
}

/** Parses SDL, naming where it came from when it is not a valid schema. */
function parse(sdl, where, code) {
  try {
    return buildSchema(sdl);
  } catch (error) {
    throw new Stop(code, `${SCHEMA} at ${where} is not a valid GraphQL schema: ${error.message}`);
  }
}

/** Whether `Type.member` (a field, input field or enum value) was `@deprecated` in `schema`. */
function wasDeprecated(schema, path) {
  const [typeName, member] = (path ?? "").split(".");
  const type = schema.getType(typeName);
  if (isEnumType(type)) return Boolean(type.getValue(member)?.deprecationReason);
  if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
    return Boolean(type.getFields()[member]?.deprecationReason);
  }
  return false;
}

/** The `Schema-Break:` trailers of the commits in BASE..HEAD, as "sha: reason" lines. */
function markers(root, base) {
  const format = `%h %(trailers:key=${TRAILER},valueonly,unfold,separator=%x3B )`;
  const log = git(root, ["log", `--format=${format}`, `${base}..HEAD`]) ?? "";
  return log
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.includes(" "))
    .map((line) => {
      const at = line.indexOf(" ");
      return { commit: line.slice(0, at), reason: line.slice(at + 1).trim() };
    })
    .filter((m) => m.reason !== "");
}

/** Whether a commit in BASE..HEAD mentions the marker somewhere git does not read it as a trailer. */
function misplacedMarker(root, base) {
  const bodies = git(root, ["log", "--format=%B", `${base}..HEAD`]) ?? "";
  return new RegExp(`^\\s*${TRAILER}\\s*:`, "im").test(bodies);
}

/** Whether a change touches only documentation: a description or a deprecation's reason. */
function isWording(change) {
  if (/DESCRIPTION|DEPRECATION_REASON_CHANGED/.test(change.type)) return true;
  const meta = change.meta ?? {};
  return (
    /^DIRECTIVE_USAGE_ARGUMENT_(ADDED|REMOVED)$/.test(change.type) &&
    meta.directiveName === "deprecated" &&
    (meta.addedArgumentName ?? meta.removedArgumentName) === "reason"
  );
}

/** Prints every change under its criticality, documentation-only ones last in each group. */
function print(changes) {
  for (const level of LEVELS) {
    const group = changes.filter((c) => c.criticality.level === level);
    group.sort((a, b) => Number(isWording(a)) - Number(isWording(b)));
    console.log(`${level} (${group.length})`);
    for (const change of group) {
      console.log(`  - ${change.message}${change.path ? `  [${change.path}]` : ""}`);
    }
  }
}

async function check(dir, baseArg) {
  const top = git(dir, ["rev-parse", "--show-toplevel"]);
  if (top === null) throw new Stop(2, `${dir} is not inside a git work tree`);
  const root = top.trim();
  const base = resolveBase(root, baseArg ?? "HEAD~1", baseArg !== undefined);
  if (base.none) {
    console.log(`schema-check: nothing to compare with: ${base.none}. Passing.`);
    return 0;
  }
  const short = base.sha.slice(0, 10);
  const oldSdl = git(root, ["show", `${base.sha}:${SCHEMA}`]);
  if (oldSdl === null) {
    console.log(`schema-check: ${SCHEMA} does not exist at ${short}: nothing to compare. Passing.`);
    return 0;
  }
  const newPath = join(root, SCHEMA);
  if (!existsSync(newPath)) {
    throw new Stop(1, `${SCHEMA} is missing from the working tree (run \`tandem schema > ${SCHEMA}\`)`);
  }
  const oldSchema = parse(oldSdl, short, 2);
  const newSchema = parse(readFileSync(newPath, "utf8"), "the working tree", 1);
  const changes = await diff(oldSchema, newSchema);

  console.log(`schema-check: ${SCHEMA} at ${short} -> working tree: ${changes.length} change(s)`);
  if (changes.length === 0) {
    console.log("schema-check: passed");
    return 0;
  }
  print(changes);

  const problems = [];
  const warnings = [];
  const breaking = changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking);
  const found = markers(root, base.sha);

  for (const change of breaking) {
    if (MUST_BE_DEPRECATED.has(change.type) && !wasDeprecated(oldSchema, change.path)) {
      problems.push(
        `${change.path} was removed without being @deprecated at ${short}. A field or enum value ` +
          `goes through @deprecated(reason: "...") in an earlier commit first, so clients see the ` +
          `warning before it goes; a ${TRAILER} trailer does not allow skipping that step.`,
      );
    }
  }
  if (breaking.length > 0) {
    if (found.length > 0) {
      for (const m of found) console.log(`marked as intended in ${m.commit}: ${TRAILER}: ${m.reason}`);
    } else {
      const hint = misplacedMarker(root, base.sha)
        ? ` (a '${TRAILER}:' line was found, but not as a trailer: it must be in the message's last paragraph)`
        : "";
      problems.push(
        `${breaking.length} breaking change(s) and no commit since ${short} marks them as intended` +
          `${hint}. If the break is deliberate, add the trailer '${TRAILER}: <why, and what clients ` +
          `should do>' as the last paragraph of the commit message; otherwise keep the old shape.`,
      );
    }
  }

  const oldLog = git(root, ["show", `${base.sha}:${CHANGELOG}`]);
  const logPath = join(root, CHANGELOG);
  const newLog = existsSync(logPath) ? readFileSync(logPath, "utf8") : null;
  if (newLog === null || newLog === oldLog) {
    const wordingOnly = changes.every(isWording);
    const message = `${SCHEMA} changed but ${CHANGELOG} did not: add a line under 'Unreleased'`;
    if (wordingOnly) warnings.push(`${message} (only descriptions changed, so this is a warning)`);
    else problems.push(`${message}; clients learn about schema changes there.`);
  }

  for (const w of warnings) console.log(`warning: ${w}`);
  if (problems.length > 0) {
    for (const p of problems) console.error(`schema-check: REFUSED: ${p}`);
    return 1;
  }
  console.log("schema-check: passed");
  return 0;
}

const [dir, baseArg, ...rest] = process.argv.slice(2);
try {
  if (!dir || rest.length > 0) throw new Stop(2, "usage: node check.mjs REPO_DIR [BASE]");
  process.exitCode = await check(dir, baseArg);
} catch (error) {
  if (!(error instanceof Stop)) throw error;
  console.error(`schema-check: ${error.message}`);
  process.exitCode = error.code;
}
