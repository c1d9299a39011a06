//! temp
use launchkit_links::{Options, check};

#[test]
fn dump() {
    for corpus in ["book", "rust-by-example"] {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/corpora")
            .join(corpus);
        let mut options = Options::new(&root);
        options.paths = vec!["src".into()];
        options.offline = true;
        let t = std::time::Instant::now();
        let summary = check(&options).unwrap();
        eprintln!(
            "{corpus}: {:?} files={} links={} skipped={} findings={}",
            t.elapsed(),
            summary.files,
            summary.links,
            summary.skipped,
            summary.findings.len()
        );
        for f in &summary.findings {
            eprintln!(
                "{} {:?} {} | {:?}",
                f.location().unwrap(),
                f.severity,
                f.message,
                f.fix
            );
        }
    }
}
