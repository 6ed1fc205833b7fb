//! `jobgraph import`: the three real pages of `../shared/corpus/` import with no failure and
//! with the expectations written by hand in `import_expectations.txt` holding; importing again
//! changes nothing, a changed page updates its posting; a dry run writes nothing; malformed
//! documents fail alone; published imports reach anonymous readers through the cache.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;

use chrono::{Datelike, NaiveDate, Utc};
use entity::enums::RequirementKind;
use entity::{audit_event, company, posting, posting_location, requirement};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::Value;
use uuid::Uuid;

use crate::helpers::{Backend, TestApp, corpus_dir, on_both_databases, spawn_app};

/// A file of the corpus (see [`corpus_dir`]).
fn corpus(file: &str) -> String {
    let path = corpus_dir().join(file);
    assert!(
        path.exists(),
        "the corpus file {} is missing",
        path.display()
    );
    path.display().to_string()
}

const CORPUS: [&str; 3] = [
    "us-career-site-posting.txt",
    "goteborg-employer-listing.txt",
    "job-board-posting.html",
];

/// Runs `jobgraph import --json ARGS` on the app's database; its exit status and report.
fn import(app: &TestApp, args: &[&str]) -> (bool, Value) {
    let output = Command::new(env!("CARGO_BIN_EXE_jobgraph"))
        .arg("import")
        .arg("--json")
        .args(args)
        .env("DATABASE_URL", &app.database_url)
        .env_remove("REDIS_URL")
        .env("JOBGRAPH_LOG_LEVEL", "warn")
        .output()
        .expect("run jobgraph import");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|error| {
        panic!(
            "no JSON report ({error}): {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.success(), report)
}

fn count(report: &Value, outcome: &str) -> usize {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["outcome"] == outcome)
        .count()
}

fn corpus_paths() -> Vec<String> {
    CORPUS.iter().map(|file| corpus(file)).collect()
}

/// A temporary directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        let path = std::env::temp_dir().join(format!("jobgraph-import-{}", Uuid::now_v7()));
        std::fs::create_dir_all(&path).unwrap();
        Scratch(path)
    }

    fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A requirement: kind, required, years min and max, text (or, expected, its first words).
type Row = (RequirementKind, bool, Option<i32>, Option<i32>, String);

/// A posting as stored, in the terms of the expectations.
#[derive(Debug, Default)]
struct Stored {
    company: String,
    locations: Vec<String>,
    posted: Option<String>,
    headings: Vec<String>,
    duties: Vec<String>,
    requirements: Vec<Row>,
}

async fn stored(app: &TestApp) -> HashMap<String, Stored> {
    let companies: HashMap<Uuid, String> = company::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let mut out = HashMap::new();
    for posting in posting::Entity::find().all(&app.db).await.unwrap() {
        let locations = posting_location::Entity::find()
            .filter(posting_location::Column::PostingId.eq(posting.id))
            .order_by_asc(posting_location::Column::Position)
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|l| {
                format!(
                    "{}/{}/{}",
                    l.city.unwrap_or_default(),
                    l.region.unwrap_or_default(),
                    l.country
                )
            })
            .collect();
        let requirements = requirement::Entity::find()
            .filter(requirement::Column::PostingId.eq(posting.id))
            .order_by_asc(requirement::Column::Position)
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.kind, r.required, r.years_min, r.years_max, r.text))
            .collect();
        out.insert(
            posting.title.clone(),
            Stored {
                company: companies[&posting.company_id].clone(),
                locations,
                posted: posting.posted_at.map(|at| at.format("%m-%d").to_string()),
                headings: posting
                    .description
                    .0
                    .iter()
                    .map(|s| s.heading.clone().unwrap_or_else(|| "-".to_owned()))
                    .collect(),
                duties: posting.responsibilities.0.clone(),
                requirements,
            },
        );
    }
    out
}

/// One posting's expectations.
#[derive(Debug, Default)]
struct Expected {
    title: String,
    company: String,
    locations: Vec<String>,
    posted: Option<String>,
    headings: Vec<String>,
    duties: Vec<String>,
    requirements: Vec<Row>,
}

fn expectations() -> Vec<Expected> {
    let split = |text: &str| -> Vec<String> {
        text.split(['|', ';'])
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let mut all: Vec<Expected> = Vec::new();
    for line in include_str!("import_expectations.txt").lines() {
        let Some((tag, rest)) = line.split_once(' ').or(Some((line, ""))) else {
            continue;
        };
        let rest = rest.trim();
        if tag == "T" {
            all.push(Expected {
                title: rest.to_owned(),
                ..Default::default()
            });
            continue;
        }
        let Some(current) = all.last_mut() else {
            continue;
        };
        match tag {
            "C" => current.company = rest.to_owned(),
            "L" => current.locations = split(rest),
            "P" => current.posted = Some(rest.to_owned()),
            "H" => current.headings = rest.split(" | ").map(str::to_owned).collect(),
            "D" => current.duties = split(rest),
            "R" => {
                let fields: Vec<&str> = rest.splitn(5, '|').collect();
                let kind = match fields[0] {
                    "experience" => RequirementKind::Experience,
                    "education" => RequirementKind::Education,
                    "skill" => RequirementKind::Skill,
                    "language" => RequirementKind::Language,
                    "certification" => RequirementKind::Certification,
                    _ => RequirementKind::Other,
                };
                let years = |field: &str| field.parse::<i32>().ok();
                current.requirements.push((
                    kind,
                    fields[1] == "1",
                    years(fields[2]),
                    years(fields[3]),
                    fields[4].to_owned(),
                ));
            }
            _ => {}
        }
    }
    all
}

/// How the stored postings measure against the expectations.
#[derive(Debug, Default)]
struct Scores {
    expected: usize,
    extracted: usize,
    matched: usize,
    required_right: usize,
    kind_right: usize,
    years_right: usize,
    duties_expected: usize,
    duties_extracted: usize,
    duties_matched: usize,
    mismatches: Vec<String>,
}

fn score(expected: &[Expected], stored: &HashMap<String, Stored>) -> Scores {
    let mut scores = Scores::default();
    for posting in expected {
        let Some(found) = stored.get(&posting.title) else {
            scores
                .mismatches
                .push(format!("missing posting {}", posting.title));
            continue;
        };
        scores.expected += posting.requirements.len();
        scores.extracted += found.requirements.len();
        let mut used = vec![false; found.requirements.len()];
        for (kind, required, min, max, words) in &posting.requirements {
            let hit = found
                .requirements
                .iter()
                .enumerate()
                .find(|(at, r)| !used[*at] && r.4.starts_with(words.as_str()));
            let Some((at, requirement)) = hit else {
                scores.mismatches.push(format!(
                    "{}: requirement {words:?} not found",
                    posting.title
                ));
                continue;
            };
            used[at] = true;
            scores.matched += 1;
            scores.required_right += usize::from(requirement.1 == *required);
            scores.kind_right += usize::from(requirement.0 == *kind);
            scores.years_right += usize::from((requirement.2, requirement.3) == (*min, *max));
            if requirement.0 != *kind || requirement.1 != *required {
                scores.mismatches.push(format!(
                    "{}: {words:?} is {:?}/{} (expected {kind:?}/{required})",
                    posting.title, requirement.0, requirement.1
                ));
            }
        }
        for (at, requirement) in found.requirements.iter().enumerate() {
            if !used[at] {
                scores.mismatches.push(format!(
                    "{}: extra requirement {:?}",
                    posting.title, requirement.4
                ));
            }
        }
        scores.duties_expected += posting.duties.len();
        scores.duties_extracted += found.duties.len();
        let mut used = vec![false; found.duties.len()];
        for words in &posting.duties {
            if let Some((at, _)) = found
                .duties
                .iter()
                .enumerate()
                .find(|(at, duty)| !used[*at] && duty.starts_with(words.as_str()))
            {
                used[at] = true;
                scores.duties_matched += 1;
            } else {
                scores
                    .mismatches
                    .push(format!("{}: duty {words:?} not found", posting.title));
            }
        }
    }
    scores
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

/// What a listed month-day without a year becomes: the latest such day not after today.
fn listed(month_day: &str) -> String {
    let today = Utc::now().date_naive();
    let (month, day) = month_day.split_once('-').unwrap();
    let date = |year| NaiveDate::from_ymd_opt(year, month.parse().unwrap(), day.parse().unwrap());
    let this_year = date(today.year()).unwrap();
    let date = if this_year <= today {
        this_year
    } else {
        date(today.year() - 1).unwrap()
    };
    date.format("%m-%d").to_string()
}

on_both_databases!(
    the_corpus_imports_with_every_expectation_holding,
    importing_again_changes_nothing_and_a_changed_page_updates_its_posting,
    published_imports_reach_anonymous_readers_through_the_cache,
);

async fn the_corpus_imports_with_every_expectation_holding(backend: Backend) {
    let app = spawn_app(backend).await;
    let paths = corpus_paths();
    let args: Vec<&str> = paths.iter().map(String::as_str).collect();
    let (success, report) = import(&app, &args);
    assert!(success, "{report:#}");
    assert_eq!(count(&report, "failed"), 0, "{report:#}");
    // 1 + 50 + 1 postings read; the listing repeats some jobs, each imported once.
    assert_eq!(report["rows"].as_array().unwrap().len(), 52);
    let created = count(&report, "created");
    let duplicates = count(&report, "duplicate");
    assert_eq!(created + duplicates, 52);
    assert_eq!(
        posting::Entity::find().count(&app.db).await.unwrap() as usize,
        created,
        "the report's counts are what the database holds"
    );
    let stored = stored(&app).await;
    for title in [
        "Internal Control",
        "Group Accounting",
        "Director, Group Accounting",
    ] {
        let reposts = report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|row| row["title"] == title)
            .collect::<Vec<_>>();
        assert!(reposts.len() >= 2, "{title} is listed more than once");
        assert_eq!(
            reposts
                .iter()
                .filter(|row| row["outcome"] == "created")
                .count(),
            1,
            "reposts of {title} collapse into one posting"
        );
    }

    let expected = expectations();
    assert!(
        expected.len() >= 15,
        "expectations for at least 15 postings"
    );
    let mut wrong = Vec::new();
    for posting in &expected {
        let found = stored
            .get(&posting.title)
            .unwrap_or_else(|| panic!("no posting {:?}", posting.title));
        let posted = posting.posted.as_deref().map(listed);
        for (what, same) in [
            ("company", found.company == posting.company),
            ("locations", found.locations == posting.locations),
            ("listed date", found.posted == posted),
            ("headings", found.headings == posting.headings),
        ] {
            if !same {
                wrong.push(format!("{}: {what} {found:?}", posting.title));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let scores = score(&expected, &stored);
    let precision = ratio(scores.matched, scores.extracted);
    let recall = ratio(scores.matched, scores.expected);
    let required = ratio(scores.required_right, scores.matched);
    let kind = ratio(scores.kind_right, scores.matched);
    let years = ratio(scores.years_right, scores.matched);
    let duty_precision = ratio(scores.duties_matched, scores.duties_extracted);
    let duty_recall = ratio(scores.duties_matched, scores.duties_expected);
    eprintln!(
        "requirements: {} expected, {} extracted, {} matched: precision {precision:.3}, \
         recall {recall:.3}, required/preferred {required:.3}, kind {kind:.3}, years {years:.3}; \
         duties: precision {duty_precision:.3}, recall {duty_recall:.3}\n{}",
        scores.expected,
        scores.extracted,
        scores.matched,
        scores.mismatches.join("\n")
    );
    assert!(precision >= 0.95, "requirement precision {precision:.3}");
    assert!(recall >= 0.95, "requirement recall {recall:.3}");
    assert!(
        required >= 0.97,
        "required/preferred accuracy {required:.3}"
    );
    assert!(kind >= 0.85, "kind accuracy {kind:.3}");
    assert!(years >= 0.99, "years accuracy {years:.3}");
    assert!(duty_precision >= 0.95, "duty precision {duty_precision:.3}");
    assert!(duty_recall >= 0.95, "duty recall {duty_recall:.3}");

    // Nothing of the pages' chrome is stored.
    for posting in posting::Entity::find().all(&app.db).await.unwrap() {
        let text = serde_json::to_string(&posting.description).unwrap();
        for chrome in [
            "#LI-",
            "Visa mer",
            "Visa mindre",
            "Loading application form",
            "<br",
            "<b>",
        ] {
            assert!(!text.contains(chrome), "{chrome} in {}", posting.title);
        }
    }
}

async fn importing_again_changes_nothing_and_a_changed_page_updates_its_posting(backend: Backend) {
    let app = spawn_app(backend).await;
    let paths = corpus_paths();
    let args: Vec<&str> = paths.iter().map(String::as_str).collect();
    let (_, first) = import(&app, &args);
    let created = count(&first, "created");
    let (success, again) = import(&app, &args);
    assert!(success, "{again:#}");
    assert_eq!(count(&again, "unchanged"), created, "{again:#}");
    assert_eq!(count(&again, "created") + count(&again, "updated"), 0);
    assert_eq!(
        posting::Entity::find().count(&app.db).await.unwrap() as usize,
        created
    );

    // The same page, changed: its posting is updated in place, with a version bump and an
    // audit event; its requirements follow.
    let scratch = Scratch::new();
    let page = std::fs::read_to_string(corpus("us-career-site-posting.txt")).unwrap();
    let changed = page.replace("5 – 7 years", "6 – 8 years");
    assert_ne!(page, changed);
    let path = scratch.file("us-career-site-posting.txt", changed);
    let (success, updated) = import(&app, &[&path]);
    assert!(success, "{updated:#}");
    assert_eq!(updated["rows"][0]["outcome"], "updated", "{updated:#}");
    assert_eq!(updated["rows"][0]["version"], 2);
    let id: Uuid = updated["rows"][0]["postingId"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        first["rows"][0]["postingId"],
        updated["rows"][0]["postingId"]
    );
    let years: Vec<(Option<i32>, Option<i32>)> = requirement::Entity::find()
        .filter(requirement::Column::PostingId.eq(id))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.years_min.is_some())
        .map(|r| (r.years_min, r.years_max))
        .collect();
    assert_eq!(years, [(Some(6), Some(8))]);
    let events = audit_event::Entity::find()
        .filter(audit_event::Column::EntityId.eq(id))
        .filter(audit_event::Column::Operation.eq("importPosting"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(events, 2, "created, then updated");
}

async fn published_imports_reach_anonymous_readers_through_the_cache(backend: Backend) {
    const COUNT: &str = "{ postings { totalCount } }";
    let app = spawn_app(backend).await;
    let before = app.request().query(COUNT).send().await.data();
    assert_eq!(before["postings"]["totalCount"], 0);
    // Drafts stay out of sight.
    let path = corpus("us-career-site-posting.txt");
    let (success, drafted) = import(&app, &["--dry-run", &path]);
    assert!(success, "{drafted:#}");
    let (success, published) = import(&app, &["--publish", &path]);
    assert!(success, "{published:#}");
    assert_eq!(published["rows"][0]["status"], "PUBLISHED", "{published:#}");
    let after = app.request().query(COUNT).send().await.data();
    assert_eq!(
        after["postings"]["totalCount"], 1,
        "the cached answer was invalidated"
    );

    // A posting the publish gate refuses stays a draft, and the report says why.
    let (success, report) = import(&app, &["--publish", &corpus("job-board-posting.html")]);
    assert!(success, "{report:#}");
    assert_eq!(report["rows"][0]["status"], "DRAFT");
    assert!(
        report["rows"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("jobLocation"),
        "{report:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_writes_nothing() {
    let app = spawn_app(Backend::Sqlite).await;
    let paths = corpus_paths();
    let mut args: Vec<&str> = vec!["--dry-run"];
    args.extend(paths.iter().map(String::as_str));
    let (success, report) = import(&app, &args);
    assert!(success, "{report:#}");
    assert_eq!(report["dryRun"], true);
    assert!(count(&report, "created") > 30, "{report:#}");
    assert_eq!(posting::Entity::find().count(&app.db).await.unwrap(), 0);
    assert_eq!(company::Entity::find().count(&app.db).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_documents_fail_alone() {
    let app = spawn_app(Backend::Sqlite).await;
    let scratch = Scratch::new();
    let truncated = scratch.file(
        "truncated.html",
        "<h2>Engineer</h2><div><b>What you'll do</b><br>Build bridges for the city.<br><b>Wh",
    );
    let person = scratch.file("person.json", r#"{"@type": "Person", "name": "Ada"}"#);
    let binary = scratch.file(
        "binary.bin",
        (0..4096u32).map(|i| (i % 9) as u8).collect::<Vec<u8>>(),
    );
    let huge = scratch.file("huge.txt", vec![b'a'; 20 * 1024 * 1024]);
    let empty = scratch.file("empty.txt", "");
    let script = scratch.file(
        "script.txt",
        "Engineer <script>alert(1)</script>\nWe build\u{0} bridges in Malmö, Sweden, for everyone who crosses them.\n",
    );
    let missing = scratch.0.join("missing.txt").display().to_string();
    let good = corpus("us-career-site-posting.txt");
    let (success, report) = import(
        &app,
        &[
            &truncated, &person, &binary, &huge, &empty, &missing, &script, &good,
        ],
    );
    assert!(
        !success,
        "failures make the command fail, after the whole batch"
    );
    let outcome = |document: &str| {
        report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["document"] == document)
            .unwrap_or_else(|| panic!("no row for {document}: {report:#}"))
            .clone()
    };
    for (document, reason) in [
        ("person.json", "Person"),
        ("binary.bin", "binary"),
        ("huge.txt", "at most"),
        ("empty.txt", "empty"),
        ("missing.txt", "cannot read"),
        ("truncated.html", "company"),
        ("script.txt", "company"),
    ] {
        let row = outcome(document);
        assert_eq!(row["outcome"], "failed", "{document}: {row:#}");
        assert!(
            row["detail"].as_str().unwrap().contains(reason),
            "{document}: {row:#}"
        );
    }
    assert_eq!(outcome("us-career-site-posting.txt")["outcome"], "created");
    assert_eq!(posting::Entity::find().count(&app.db).await.unwrap(), 1);

    // With a company named, the truncated page and the one with a script tag import as text.
    let company = company::Entity::find().one(&app.db).await.unwrap().unwrap();
    let (success, report) = import(&app, &["--company", &company.slug, &truncated, &script]);
    assert!(success, "{report:#}");
    let titles: Vec<String> = posting::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.title)
        .collect();
    assert!(titles.contains(&"Engineer".to_owned()), "{titles:?}");
    assert!(
        titles
            .iter()
            .any(|t| t.contains("<script>alert(1)</script>")),
        "a script tag in a text page is text: {titles:?}"
    );
}

on_both_databases!(exported_json_ld_imports_back_as_the_same_posting);

/// The `jsonLd` of the first posting an anonymous reader sees.
async fn first_json_ld(app: &TestApp) -> String {
    let data = app
        .request()
        .query("{ postings(first: 1) { edges { node { jsonLd } } } }")
        .send()
        .await
        .data();
    data["postings"]["edges"][0]["node"]["jsonLd"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn exported_json_ld_imports_back_as_the_same_posting(backend: Backend) {
    let app = spawn_app(backend.clone()).await;
    let (success, report) = import(&app, &["--publish", &corpus("us-career-site-posting.txt")]);
    assert!(success, "{report:#}");
    let exported = first_json_ld(&app).await;
    let json: Value = serde_json::from_str(&exported).unwrap();
    assert_eq!(json["@type"], "JobPosting");
    assert_eq!(json["title"], "Regional Fixed Operations Manager");
    assert_eq!(json["hiringOrganization"]["name"], "Polestar");
    assert_eq!(json["jobLocation"].as_array().unwrap().len(), 4);
    assert_eq!(json["jobLocation"][0]["address"]["addressRegion"], "FL");
    assert!(json["datePosted"].is_string() && json["description"].is_string());
    assert_eq!(json["experienceRequirements"]["monthsOfExperience"], 60);
    assert_eq!(
        json["jobgraph:posting"]["requirements"]
            .as_array()
            .unwrap()
            .len(),
        9
    );

    let scratch = Scratch::new();
    let path = scratch.file("exported.json", &exported);
    let other = spawn_app(backend).await;
    let (success, report) = import(&other, &[&path]);
    assert!(success, "{report:#}");
    assert_eq!(report["rows"][0]["outcome"], "created", "{report:#}");
    let (before, after) = (stored(&app).await, stored(&other).await);
    let (before, after) = (
        &before["Regional Fixed Operations Manager"],
        &after["Regional Fixed Operations Manager"],
    );
    assert_eq!(before.company, after.company);
    assert_eq!(before.locations, after.locations);
    assert_eq!(before.headings, after.headings);
    assert_eq!(before.duties, after.duties);
    assert_eq!(before.requirements, after.requirements);
    let one = |db| async move {
        let posting = posting::Entity::find().one(db).await.unwrap().unwrap();
        (
            posting.summary,
            posting.description,
            posting.department,
            posting.occupation,
            posting.travel,
            posting.remote_policy,
            posting.employment_type,
            posting.language,
        )
    };
    assert_eq!(one(&app.db).await, one(&other.db).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_ld_cannot_end_the_script_that_embeds_it() {
    let app = spawn_app(Backend::Sqlite).await;
    let scratch = Scratch::new();
    let page = scratch.file(
        "page.txt",
        "Engineer </script><script>alert(1)</script> & <b>friends</b>\nWe build bridges in Malmö for everyone who crosses them, every day.\nAbout Bridgeworks\nBridgeworks has built bridges since 1901, in Malmö and beyond.\n",
    );
    let (success, report) = import(&app, &["--publish", &page]);
    assert!(success, "{report:#}");
    let exported = first_json_ld(&app).await;
    let exported = exported.as_str();
    for unsafe_text in ["</", "<script", "<b>", "&"] {
        assert!(
            !exported.contains(unsafe_text),
            "{unsafe_text} in {exported}"
        );
    }
    let json: Value = serde_json::from_str(exported).unwrap();
    assert_eq!(
        json["title"],
        "Engineer </script><script>alert(1)</script> & <b>friends</b>"
    );
    assert!(
        json["description"]
            .as_str()
            .unwrap()
            .contains("<p>We build bridges in Malmö")
    );
}

on_both_databases!(the_import_mutation_imports_for_the_tokens_company);

async fn the_import_mutation_imports_for_the_tokens_company(backend: Backend) {
    const IMPORT: &str = "mutation($input: ImportPostingsInput!) { importPostings(input: $input) { dryRun created unchanged failed rows { document outcome status postingId detail } } }";
    let app = spawn_app(backend).await;
    let mine = crate::fixtures::company(&app.db, "mine", "Mine").await;
    let writer = crate::tokens::token("postings:write", &[mine.id]);
    let page = std::fs::read_to_string(corpus("us-career-site-posting.txt")).unwrap();
    let variables = serde_json::json!({ "input": {
        "companyId": crate::fixtures::company_id(&mine),
        "publish": true,
        "documents": [
            { "name": "us-career-site-posting.txt", "content": page },
            { "name": "person.json", "content": "{\"@type\": \"Person\"}", "format": "JSON_LD" },
        ],
    } });
    let send = || {
        app.request()
            .token(&writer)
            .query(IMPORT)
            .variables(variables.clone())
            .send()
    };
    let body = send().await.json();
    let payload = &body["data"]["importPostings"];
    assert_eq!(payload["created"], 1, "{body}");
    assert_eq!(payload["failed"], 1, "{body}");
    assert_eq!(payload["rows"][0]["status"], "PUBLISHED", "{body}");
    assert!(
        payload["rows"][1]["detail"]
            .as_str()
            .unwrap()
            .contains("Person")
    );
    let id = payload["rows"][0]["postingId"].as_str().unwrap().to_owned();
    let read = app
        .request()
        .query("query($id: ID!) { posting(id: $id) { title company { name } requirements { yearsMin } } }")
        .variables(serde_json::json!({ "id": id }))
        .send()
        .await
        .data();
    assert_eq!(
        read["posting"]["title"],
        "Regional Fixed Operations Manager"
    );
    assert_eq!(
        read["posting"]["company"]["name"], "Mine",
        "the token's company, not the page's"
    );
    let again = send().await.json();
    assert_eq!(again["data"]["importPostings"]["unchanged"], 1, "{again}");

    // Without a company the pages' own companies would be created: that needs admin.
    let body = app
        .request()
        .token(&writer)
        .query(IMPORT)
        .variables(
            serde_json::json!({ "input": { "documents": [{ "name": "a.txt", "content": page }] } }),
        )
        .send()
        .await
        .json();
    assert_eq!(crate::helpers::error_code(&body), "FORBIDDEN", "{body}");
    let too_many: Vec<Value> = (0..101)
        .map(|n| serde_json::json!({ "name": format!("{n}.txt"), "content": "x" }))
        .collect();
    let body = app
        .request()
        .token(&writer)
        .query(IMPORT)
        .variables(serde_json::json!({ "input": { "companyId": crate::fixtures::company_id(&mine), "documents": too_many } }))
        .send()
        .await
        .json();
    assert_eq!(
        crate::helpers::error_code(&body),
        "BAD_USER_INPUT",
        "{body}"
    );
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.documents");
}

on_both_databases!(a_posting_that_fails_inside_a_batch_leaves_the_rest_of_it);

/// Two pages of one batch with the same JSON-LD identifier, for one company, but different
/// text are the same posting, changed: the batch's one-statement insert fails on the second, its savepoint is
/// rolled back, and the postings go in one by one, so the first is created, the second
/// updates it, and the others of the batch are all there.
async fn a_posting_that_fails_inside_a_batch_leaves_the_rest_of_it(backend: Backend) {
    const IMPORT: &str = "mutation($input: ImportPostingsInput!) { importPostings(input: $input) { created updated failed rows { outcome version } } }";
    let app = spawn_app(backend).await;
    let mine = crate::fixtures::company(&app.db, "mine", "Mine").await;
    let writer = crate::tokens::token("postings:write", &[mine.id]);
    // The pages name different companies (so they are not reposts of each other), and the
    // import puts both in the token's.
    let page = |identifier: &str, title: &str, text: &str| {
        serde_json::json!({
            "@context": "https://schema.org/", "@type": "JobPosting", "title": title,
            "description": format!("<p>{text}</p>"), "datePosted": "2026-11-01",
            "identifier": { "@type": "PropertyValue", "value": identifier },
            "hiringOrganization": { "@type": "Organization", "name": format!("Mine {title}") },
            "jobLocation": { "@type": "Place", "address": { "addressLocality": "Malmö", "addressCountry": "SE" } },
        })
        .to_string()
    };
    let mut documents = vec![
        serde_json::json!({ "name": "first", "content": page("same", "Welder", "We weld ships in the harbour.") }),
        serde_json::json!({ "name": "second", "content": page("same", "Painter", "Paint the finished hulls, mostly blue ones.") }),
    ];
    for n in 0..5 {
        documents.push(serde_json::json!({
            "name": format!("other-{n}"),
            "content": page(&format!("other-{n}"), &format!("Fitter {n}"), &format!("Fit part {n} of the engine.")),
        }));
    }
    let body = app
        .request()
        .token(&writer)
        .query(IMPORT)
        .variables(serde_json::json!({ "input": {
            "companyId": crate::fixtures::company_id(&mine),
            "documents": documents,
        } }))
        .send()
        .await
        .json();
    let payload = &body["data"]["importPostings"];
    assert_eq!(payload["created"], 6, "{body}");
    assert_eq!(payload["updated"], 1, "{body}");
    assert_eq!(payload["failed"], 0, "{body}");
    assert_eq!(payload["rows"][1]["outcome"], "UPDATED", "{body}");
    assert_eq!(payload["rows"][1]["version"], 2, "{body}");
    let stored = posting::Entity::find()
        .filter(posting::Column::CompanyId.eq(mine.id))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(stored.len(), 6, "nothing of the batch lost or doubled");
    let same = stored
        .iter()
        .find(|posting| {
            posting
                .source_key
                .as_deref()
                .is_some_and(|key| key.ends_with("same"))
        })
        .expect("the shared identifier's posting");
    assert_eq!(same.title, "Painter");
    assert_eq!(same.version, 2);
    let events = audit_event::Entity::find()
        .filter(audit_event::Column::EntityId.eq(same.id))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(events, 2, "one event for the creation, one for the update");
}

/// On a terminal the command shows a progress bar while it reads, as `script` (a pseudo-
/// terminal) sees it, then the table.
#[tokio::test]
async fn a_terminal_sees_a_progress_bar() {
    let app = spawn_app(Backend::Sqlite).await;
    let mut command = format!("{} import", env!("CARGO_BIN_EXE_jobgraph"));
    for path in corpus_paths() {
        command.push_str(&format!(" '{path}'"));
    }
    let output = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("DATABASE_URL", &app.database_url)
        .env_remove("REDIS_URL")
        .env("JOBGRAPH_LOG_LEVEL", "warn")
        .output()
        .expect("run script (util-linux)");
    let seen = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{seen}");
    assert!(
        seen.contains("] 3/3 documents"),
        "the bar ends at every document read: {seen}"
    );
    assert!(seen.contains("[##########"), "{seen}");
    assert!(seen.contains("0 failed"), "the table follows: {seen}");
}

on_both_databases!(batches_stored_at_once_share_new_companies_and_titles);

/// 250 pages of three new companies, many with the same title: on PostgreSQL two batches are
/// stored at once and race to create each company and take each slug; every posting is still
/// created once, each company once, every slug distinct.
async fn batches_stored_at_once_share_new_companies_and_titles(backend: Backend) {
    let app = spawn_app(backend).await;
    let scratch = Scratch::new();
    let mut files = Vec::new();
    for n in 0..250 {
        let page = serde_json::json!({
            "@context": "https://schema.org/", "@type": "JobPosting",
            "title": format!("Welder {}", n % 7),
            "description": format!("<p>Weld seam {n} of the new ferry.</p>"),
            "datePosted": "2026-11-01",
            "identifier": { "@type": "PropertyValue", "value": format!("race-{n}") },
            "hiringOrganization": { "@type": "Organization", "name": format!("Yard {}", n % 3) },
            "jobLocation": { "@type": "Place", "address": { "addressLocality": "Malmö", "addressCountry": "SE" } },
        });
        files.push(scratch.file(&format!("{n}.json"), page.to_string()));
    }
    let args: Vec<&str> = files.iter().map(String::as_str).collect();
    let (ok, report) = import(&app, &args);
    assert!(ok, "{report}");
    assert_eq!(count(&report, "created"), 250, "{report}");
    let companies = company::Entity::find().all(&app.db).await.unwrap();
    let yards: Vec<&str> = companies
        .iter()
        .map(|company| company.name.as_str())
        .filter(|name| name.starts_with("Yard "))
        .collect();
    assert_eq!(yards.len(), 3, "{yards:?}");
    let postings = posting::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(postings.len(), 250);
    let slugs: std::collections::HashSet<(Uuid, &str)> = postings
        .iter()
        .map(|posting| (posting.company_id, posting.slug.as_str()))
        .collect();
    assert_eq!(slugs.len(), 250, "every slug distinct within its company");
}
