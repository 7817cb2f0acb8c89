//! `scripts/schema-check`, run on throwaway git repositories: a breaking schema change is refused
//! unless a commit marks it with a `Schema-Break:` trailer, a field or enum value that was not
//! `@deprecated` may not be removed even then, and a schema change needs a CHANGELOG.md entry.
//!
//! Needs node and `npm ci` in `tests/schema-check` (scripts/test does it); without them each test
//! is skipped with a message, unless `TANDEM_REQUIRE_AUDIT=1`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The schema every repository starts from: one deprecated field and one deprecated enum value.
const BASE: &str = r#"
type Query {
  "An answer."
  answer: Int
  name: String
  oldName: String @deprecated(reason: "Use `name`.")
  color: Color
}

enum Color {
  RED
  GREEN
  BLUE @deprecated(reason: "Nothing is blue any more.")
}
"#;

const CHANGELOG: &str = "# Schema changes\n\n## Unreleased\n";

/// The check script, or `None` (after saying why) when its packages are not installed.
fn script() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf();
    let package = root.join("tests/schema-check");
    if !package
        .join("node_modules/@graphql-inspector/core")
        .exists()
    {
        if std::env::var("TANDEM_REQUIRE_AUDIT").is_ok_and(|v| v == "1") {
            panic!(
                "TANDEM_REQUIRE_AUDIT=1 but {}/node_modules is missing: run `npm ci` there (scripts/test does)",
                package.display()
            );
        }
        eprintln!("SKIPPED: the schema check's packages are not installed (run scripts/test)");
        return None;
    }
    Some(root.join("scripts/schema-check"))
}

/// A git repository in a temporary folder, removed when dropped.
struct Repo {
    dir: PathBuf,
}

impl Repo {
    /// An empty repository.
    fn new() -> Repo {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "tandem-schema-check-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let dir = std::env::temp_dir().join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create a temporary folder");
        let repo = Repo { dir };
        repo.git(&["init", "--quiet"]);
        repo
    }

    /// A repository whose first commit holds `BASE` and an empty changelog.
    fn with_base() -> Repo {
        let repo = Repo::new();
        repo.commit(BASE, Some(CHANGELOG), "The first schema");
        repo
    }

    /// Runs git with an identity and no user or system configuration.
    fn git(&self, args: &[&str]) -> String {
        let output = Command::new("git")
            .args([
                "-c",
                "commit.gpgsign=false",
                "-c",
                "core.hooksPath=/dev/null",
            ])
            .args(args)
            .current_dir(&self.dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.com")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.com")
            .output()
            .expect("run git");
        assert!(
            output.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Commits `schema` as schema.graphql and, when given, `changelog` as CHANGELOG.md.
    fn commit(&self, schema: &str, changelog: Option<&str>, message: &str) {
        std::fs::write(self.dir.join("schema.graphql"), schema).expect("write schema.graphql");
        if let Some(changelog) = changelog {
            std::fs::write(self.dir.join("CHANGELOG.md"), changelog).expect("write CHANGELOG.md");
        }
        self.git(&["add", "-A"]);
        self.git(&["commit", "--quiet", "--allow-empty", "-m", message]);
    }

    /// Commits `schema` with a changelog that has one more line than the last one.
    fn commit_logged(&self, schema: &str, message: &str) {
        let path = self.dir.join("CHANGELOG.md");
        let mut changelog = std::fs::read_to_string(&path).unwrap_or_default();
        changelog.push_str(&format!(
            "- {}\n",
            message.lines().next().unwrap_or_default()
        ));
        self.commit(schema, Some(&changelog), message);
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What a run of the check said.
struct Run {
    code: Option<i32>,
    text: String,
}

/// Runs the check on `dir` with `args`; `None` when the check is not installed.
fn check_dir(dir: &Path, args: &[&str]) -> Option<Run> {
    let script = script()?;
    let output: Output = Command::new(script)
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .expect("run scripts/schema-check");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Some(Run {
        code: output.status.code(),
        text,
    })
}

fn check(repo: &Repo) -> Option<Run> {
    check_dir(&repo.dir, &[])
}

fn assert_refused(run: &Run, needle: &str) {
    assert_eq!(run.code, Some(1), "expected a refusal:\n{}", run.text);
    assert!(run.text.contains("REFUSED"), "{}", run.text);
    assert!(
        run.text.contains(needle),
        "expected {needle:?} in:\n{}",
        run.text
    );
}

fn assert_passed(run: &Run) {
    assert_eq!(run.code, Some(0), "expected a pass:\n{}", run.text);
    assert!(!run.text.contains("REFUSED"), "{}", run.text);
}

#[test]
fn removing_a_field_that_was_not_deprecated_is_refused() {
    let repo = Repo::with_base();
    repo.commit_logged(&BASE.replace("  name: String\n", ""), "Drop Query.name");
    let Some(run) = check(&repo) else { return };
    assert_refused(&run, "Query.name was removed without being @deprecated");
    assert!(run.text.contains("BREAKING (1)"), "{}", run.text);
    assert!(run.text.contains("no commit since"), "{}", run.text);
}

#[test]
fn the_marker_does_not_allow_removing_a_field_that_was_not_deprecated() {
    let repo = Repo::with_base();
    let message = "Drop Query.name\n\nSchema-Break: nobody reads it";
    repo.commit_logged(&BASE.replace("  name: String\n", ""), message);
    let Some(run) = check(&repo) else { return };
    assert_refused(&run, "Query.name was removed without being @deprecated");
    assert!(
        run.text.contains("does not allow skipping that step"),
        "{}",
        run.text
    );
    assert!(
        !run.text.contains("no commit since"),
        "the marker was read:\n{}",
        run.text
    );
}

#[test]
fn the_marker_does_not_allow_removing_an_enum_value_that_was_not_deprecated() {
    let repo = Repo::with_base();
    let message = "Drop GREEN\n\nSchema-Break: green is gone";
    repo.commit_logged(&BASE.replace("  GREEN\n", ""), message);
    let Some(run) = check(&repo) else { return };
    assert_refused(&run, "Color.GREEN was removed without being @deprecated");
}

#[test]
fn changing_a_field_type_without_the_marker_is_refused() {
    let repo = Repo::with_base();
    let schema = BASE.replace("answer: Int", "answer: String");
    repo.commit_logged(&schema, "The answer is text");
    let Some(run) = check(&repo) else { return };
    assert_refused(&run, "breaking change(s) and no commit since");
    assert!(run.text.contains("Query.answer"), "{}", run.text);
}

#[test]
fn a_marked_field_type_change_passes() {
    let repo = Repo::with_base();
    let schema = BASE.replace("answer: Int", "answer: String");
    let message = "The answer is text\n\nSchema-Break: answers outgrew integers";
    repo.commit_logged(&schema, message);
    let Some(run) = check(&repo) else { return };
    assert_passed(&run);
    assert!(
        run.text.contains("Schema-Break: answers outgrew integers"),
        "{}",
        run.text
    );
}

#[test]
fn removing_a_deprecated_field_with_the_marker_passes() {
    let repo = Repo::with_base();
    let schema = BASE.replace(
        "  oldName: String @deprecated(reason: \"Use `name`.\")\n",
        "",
    );
    let message = "Drop Query.oldName\n\nSchema-Break: deprecated since 2026-01";
    repo.commit_logged(&schema, message);
    let Some(run) = check(&repo) else { return };
    assert_passed(&run);
    assert!(run.text.contains("BREAKING (1)"), "{}", run.text);
}

#[test]
fn removing_a_deprecated_enum_value_with_the_marker_passes() {
    let repo = Repo::with_base();
    let schema = BASE.replace(
        "  BLUE @deprecated(reason: \"Nothing is blue any more.\")\n",
        "",
    );
    repo.commit_logged(&schema, "Drop BLUE\n\nSchema-Break: deprecated long ago");
    let Some(run) = check(&repo) else { return };
    assert_passed(&run);
}

#[test]
fn removing_a_deprecated_field_without_the_marker_is_refused() {
    let repo = Repo::with_base();
    let schema = BASE.replace(
        "  oldName: String @deprecated(reason: \"Use `name`.\")\n",
        "",
    );
    repo.commit_logged(&schema, "Drop Query.oldName");
    let Some(run) = check(&repo) else { return };
    assert_refused(&run, "no commit since");
    assert!(
        !run.text.contains("without being @deprecated"),
        "{}",
        run.text
    );
}

#[test]
fn a_marker_outside_the_trailers_is_not_read() {
    let repo = Repo::with_base();
    let schema = BASE.replace("answer: Int", "answer: String");
    let message = "The answer is text\n\nSchema-Break: answers outgrew integers\n\nMore words.";
    repo.commit_logged(&schema, message);
    let Some(run) = check(&repo) else { return };
    assert_refused(&run, "not as a trailer");
}

#[test]
fn adding_a_field_passes() {
    let repo = Repo::with_base();
    let schema = BASE.replace("  color: Color\n", "  color: Color\n  shade: Int\n");
    repo.commit_logged(&schema, "Query.shade");
    let Some(run) = check(&repo) else { return };
    assert_passed(&run);
    assert!(run.text.contains("Field 'shade' was added"), "{}", run.text);
    assert!(run.text.contains("BREAKING (0)"), "{}", run.text);
}

#[test]
fn a_schema_change_without_a_changelog_entry_is_refused() {
    let repo = Repo::with_base();
    let schema = BASE.replace("  color: Color\n", "  color: Color\n  shade: Int\n");
    repo.commit(&schema, None, "Query.shade");
    let Some(run) = check(&repo) else { return };
    assert_refused(&run, "CHANGELOG.md did not");
}

#[test]
fn a_description_change_without_a_changelog_entry_only_warns() {
    let repo = Repo::with_base();
    repo.commit(&BASE.replace("An answer.", "The answer."), None, "Reword");
    let Some(run) = check(&repo) else { return };
    assert_passed(&run);
    assert!(
        run.text
            .contains("warning: schema.graphql changed but CHANGELOG.md did not"),
        "{}",
        run.text
    );
}

#[test]
fn the_marker_may_be_on_any_commit_since_an_explicit_base() {
    let repo = Repo::with_base();
    let schema = BASE.replace("answer: Int", "answer: String");
    repo.commit_logged(
        &schema,
        "The answer is text\n\nSchema-Break: answers outgrew integers",
    );
    repo.commit_logged(&schema, "Something else");
    let Some(run) = check(&repo) else { return };
    assert_passed(&run);
    let Some(run) = check_dir(&repo.dir, &["HEAD~2"]) else {
        return;
    };
    assert_passed(&run);
    assert!(run.text.contains("marked as intended"), "{}", run.text);
    let Some(run) = check_dir(&repo.dir, &["no-such-commit"]) else {
        return;
    };
    assert_eq!(run.code, Some(2), "{}", run.text);
}

#[test]
fn without_a_parent_commit_there_is_nothing_to_compare() {
    let repo = Repo::with_base();
    let Some(run) = check(&repo) else { return };
    assert_passed(&run);
    assert!(
        run.text.contains("HEAD is the first commit"),
        "{}",
        run.text
    );

    repo.commit_logged(&BASE.replace("  name: String\n", ""), "Drop Query.name");
    let shallow = Repo::new();
    let source = format!("file://{}", repo.dir.display());
    shallow.git(&["clone", "--quiet", "--depth", "1", &source, "clone"]);
    let Some(run) = check_dir(&shallow.dir.join("clone"), &[]) else {
        return;
    };
    assert_passed(&run);
    assert!(run.text.contains("shallow clone"), "{}", run.text);
}
