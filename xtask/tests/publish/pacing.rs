//! Pacing to the registry's rate limits: the plan says how long the uploads take under
//! the configured limits, and the run spaces them so, outside the waiting budget.

use std::time::Duration;

use launchkit_testkit::Faults;

use crate::support::{DIAMOND, Run, Setup, TOKEN};

/// One new crate at once, then one every 2 seconds; no limit on new versions.
const LIMITS: [(&str, &str); 2] =
    [("LAUNCHKIT_RATE_LIMIT_NEW_CRATES", "1/2s"), ("LAUNCHKIT_RATE_LIMIT_NEW_VERSIONS", "none")];

fn publish(setup: &Setup, args: &[&str]) -> Run {
    let mut command = setup.xtask_command(args);
    command.envs(LIMITS);
    Run::checked(command.output().expect("xtask runs"), &[TOKEN])
}

#[test]
fn uploads_keep_to_the_configured_limits_and_the_plan_says_how_long() {
    let setup = Setup::new(DIAMOND, Faults::none());
    let estimate = "pacing: 4 new crates and 0 new versions under `lk`'s limits (new crates: 1 then 1 per 2s; new versions: no limit): the last upload starts about 6s after the first\n";

    let plan = publish(&setup, &[]).success();
    assert!(plan.stdout.contains(estimate), "{plan}");
    assert!(
        setup.xtask(&[]).success().stdout.find("pacing:").is_none(),
        "lk has no default limits"
    );

    // A budget of 1 second: the 6 seconds of pacing must not come out of it.
    let run = publish(&setup, &["--execute", "--max-wait", "1s"]).success();
    assert!(run.stderr.contains(&format!("note: {estimate}")), "{run}");
    assert!(
        run.stderr.contains("pacing: `lk` takes new crates 1 then 1 per 2s; uploading in"),
        "{run}"
    );
    setup.assert_published_once(DIAMOND);
    setup.assert_dependency_order(DIAMOND);

    // The kth upload starts 2k seconds after the first; the registry sees it at least that
    // late, less what cargo took to reach it the first time (well under a second).
    let times = setup.registry.proxy().unwrap().upload_times();
    assert_eq!(times.len(), 4);
    for (k, at) in times.iter().enumerate() {
        let after = at.duration_since(times[0]);
        let earliest = Duration::from_secs(2 * k as u64).saturating_sub(Duration::from_secs(1));
        assert!(after >= earliest, "upload {k} came {after:?} after the first:\n{run}");
    }
}
