//! The audit against RustSec databases (read-only): the small one in tests/data, copied
//! from the real database, and, in the opt-in suite (`cargo xtask test --advisory-db DIR`),
//! the whole real database. Both load without errors, a lockfile of known-vulnerable
//! versions reports exactly their advisories with fix ranges, and a patched lockfile
//! reports nothing.

mod common;

use std::path::Path;

use launchkit_report::Severity;
use launchkit_scan::Lockfile;
use launchkit_scan::audit::{self, Database, IgnoredAdvisory};
use launchkit_scan::date::Day;

fn load(dir: &Path) -> Database {
    Database::load(dir).unwrap_or_else(|err| panic!("{err}"))
}

fn database() -> Database {
    load(&common::advisory_db())
}

fn lockfile(name: &str) -> Lockfile {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name);
    Lockfile::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `(advisory id, severity, line)` of each finding.
fn summary(audit: &audit::Audit) -> Vec<(String, Severity, u32)> {
    audit
        .findings
        .iter()
        .map(|finding| (finding.rule.clone().unwrap(), finding.severity, finding.line.unwrap()))
        .collect()
}

/// Every file loads, every CVSS 3 vector scores (CVSS 4 ones are shown as they are), and
/// a copy without git metadata is as old as its newest advisory. Returns the database.
fn loads_completely(dir: &Path) -> Database {
    let db = load(dir);
    assert!(db.errors.is_empty(), "{:#?}", db.errors);
    assert_eq!(db.len(), walk_md(dir), "every advisory file is loaded");
    assert!(!db.toolchain.is_empty());
    let vectors: Vec<&str> =
        db.crates.iter().filter_map(|advisory| advisory.cvss.as_deref()).collect();
    let unscored: Vec<&&str> = vectors
        .iter()
        .filter(|v| v.starts_with("CVSS:3") && audit::cvss::Score::parse(v).is_none())
        .collect();
    assert!(unscored.is_empty(), "{unscored:?}");
    assert!(vectors.iter().any(|v| v.starts_with("CVSS:4")), "a CVSS 4 vector is loaded too");
    assert_eq!(db.newest(), Day::parse("2026-08-20"));
    db
}

#[test]
fn the_test_database_loads_without_a_parse_error() {
    let db = loads_completely(&common::advisory_db());
    assert_eq!((db.crates.len(), db.toolchain.len()), (10, 2));
}

#[test]
#[ignore = "whole RustSec database: run `cargo xtask test --advisory-db DIR`"]
fn the_whole_database_loads_and_audits_like_the_test_database() {
    let db = loads_completely(&launchkit_testkit::corpora::advisory_db());
    assert!(db.crates.len() > 1000);
    let scored = db.crates.iter().filter(|advisory| advisory.cvss.is_some()).count();
    assert!(scored > 400, "{scored} CVSS vectors");
    // The cases the small copy holds come out the same from the whole database.
    vulnerable_versions_are_reported(&db);
    withdrawn_advisories_and_other_sources_are_skipped(&db);
}

#[test]
fn known_vulnerable_versions_report_their_advisories_and_fixes() {
    vulnerable_versions_are_reported(&database());
}

fn vulnerable_versions_are_reported(db: &Database) {
    let audit = audit::audit(&lockfile("vulnerable.lock"), "Cargo.lock", db, &[]);
    assert_eq!(audit.packages, 4);
    assert_eq!(
        summary(&audit),
        [
            ("RUSTSEC-2026-0097".to_owned(), Severity::Warning, 20),
            ("RUSTSEC-2021-0003".to_owned(), Severity::Error, 25),
            ("RUSTSEC-2020-0071".to_owned(), Severity::Error, 30),
        ],
        "{:#?}",
        audit.findings
    );
    let smallvec = &audit.findings[1];
    assert!(
        smallvec
            .message
            .starts_with("smallvec 1.6.0 is vulnerable: Buffer overflow in SmallVec::insert_many")
    );
    assert!(
        smallvec
            .message
            .contains("(RUSTSEC-2021-0003, CVE-2021-25900, CVSS 9.8 critical, memory-corruption)"),
        "{}",
        smallvec.message
    );
    let fix = smallvec.fix.as_deref().unwrap();
    assert!(fix.starts_with("upgrade smallvec to >= 0.6.14, < 1.0.0 or >= 1.6.1"), "{fix}");
    assert!(audit.findings[2].fix.as_deref().unwrap().starts_with("upgrade time to >= 0.2.23"));
    let rand = &audit.findings[0];
    assert!(rand.message.starts_with("rand 0.7.3 is unsound: "), "{}", rand.message);
    assert_eq!(audit.count(Severity::Error), 2);
}

#[test]
fn withdrawn_advisories_and_other_sources_are_ignored() {
    withdrawn_advisories_and_other_sources_are_skipped(&database());
}

fn withdrawn_advisories_and_other_sources_are_skipped(db: &Database) {
    // tower-http 0.2.0 is in RUSTSEC-2021-0135's range, but the advisory was withdrawn.
    let tower =
        db.for_package("tower-http").find(|advisory| advisory.id == "RUSTSEC-2021-0135").unwrap();
    assert!(tower.withdrawn.is_some() && tower.affects(&"0.2.0".parse().unwrap()));
    // The clean lockfile also holds smallvec 1.6.0 from git, which RustSec does not cover.
    let audit = audit::audit(&lockfile("clean.lock"), "Cargo.lock", db, &[]);
    assert_eq!(audit.packages, 3);
    assert!(audit.findings.is_empty(), "{:#?}", audit.findings);
}

#[test]
fn ignored_advisories_become_notes_with_their_reason() {
    let db = database();
    let ignore =
        [IgnoredAdvisory { id: "CVE-2020-26235".into(), reason: "we never call time::now".into() }];
    let audit = audit::audit(&lockfile("vulnerable.lock"), "Cargo.lock", &db, &ignore);
    let time = audit
        .findings
        .iter()
        .find(|finding| finding.rule.as_deref() == Some("RUSTSEC-2020-0071"))
        .unwrap();
    assert_eq!(time.severity, Severity::Note);
    assert_eq!(time.message, "time 0.1.43: RUSTSEC-2020-0071 ignored: we never call time::now");
    assert_eq!(audit.count(Severity::Error), 1);
}

#[test]
fn a_database_older_than_90_days_warns() {
    assert!(audit::staleness(90, "newest advisory 2026-08-28").is_none());
    let warning = audit::staleness(98, "newest advisory 2026-08-20").unwrap();
    assert_eq!(warning.severity, Severity::Warning);
    assert!(
        warning
            .message
            .starts_with("the advisory database is 98 days old (newest advisory 2026-08-20)")
    );
}

fn walk_md(dir: &std::path::Path) -> usize {
    let mut count = 0;
    for collection in ["crates", "rust"] {
        for package in std::fs::read_dir(dir.join(collection)).unwrap() {
            for file in std::fs::read_dir(package.unwrap().path()).unwrap() {
                count +=
                    usize::from(file.unwrap().path().extension().is_some_and(|ext| ext == "md"));
            }
        }
    }
    count
}
