//! Read-only questions to crates.io's real sparse index, about versions whose facts do
//! not change: published versions are immutable and these yanks are years old.

use launchkit_registry::{CRATES_IO, CRATES_IO_INDEX, SparseIndex};
use semver::Version;

fn crates_io() -> SparseIndex {
    SparseIndex::from_url(CRATES_IO, CRATES_IO_INDEX, None)
}

fn v(text: &str) -> Version {
    Version::parse(text).unwrap()
}

#[test]
fn config_json_names_the_download_and_api_hosts() {
    // Only the shape: a company mirror in front of crates.io may rewrite the hosts.
    let config = crates_io().config().unwrap();
    assert!(config.dl.starts_with("https://") && config.api.is_some(), "{config:?}");
    assert!(!config.auth_required);
}

#[test]
fn every_path_rule_finds_its_crate_with_the_known_checksum() {
    let index = crates_io();
    let known = [
        ("a", "0.1.0", "58169884a52f5647006cc1d663adb1432a948a8af1a28379880274d0b7a160e8"),
        ("cc", "1.0.0", "7db2f146208d7e0fbee761b09cd65a7f51ccc38705d4e7262dad4d73b12a76b1"),
        ("syn", "2.0.0", "4cff13bb1732bccfe3b246f3fdb09edfd51c01d6f5299b7ccd9457c2e4e37774"),
        ("serde", "1.0.0", "369633cfe0f0bde1dfc037fb6c5a329d46586a31f981bed14d87487a3439ae37"),
        ("Inflector", "0.1.1", "4df63ad229f367ffc2f15a04ce98aba8a0a76b8e9994717334ce717f5cc450d1"),
    ];
    for (name, version, cksum) in known {
        assert_eq!(
            index.checksum(name, &v(version)).unwrap().as_deref(),
            Some(cksum),
            "{name}@{version}"
        );
    }
    let syn = index.find("syn", &v("2.0.0")).unwrap().unwrap();
    assert_eq!(syn.rust_version.as_deref(), Some("1.56"));
}

#[test]
fn yanked_versions_and_the_newest_version_are_reported() {
    let index = crates_io();
    assert_eq!(index.is_yanked("serde", &v("1.0.31")).unwrap(), Some(true));
    assert_eq!(index.is_yanked("serde", &v("1.0.0")).unwrap(), Some(false));
    assert_eq!(index.is_yanked("cfg-if", &v("1.0.2")).unwrap(), Some(true));
    assert_eq!(index.is_yanked("serde", &v("0.0.42")).unwrap(), None, "never published");
    let newest = index.newest("serde").unwrap().unwrap();
    assert!(newest.version >= v("1.0.219") && !newest.yanked, "{newest:?}");
}

#[test]
fn an_unknown_crate_has_no_versions() {
    let index = crates_io();
    assert!(index.versions("launchkit-surely-not-a-real-crate-xyz").unwrap().is_empty());
    assert!(!index.is_published("launchkit-surely-not-a-real-crate-xyz", &v("0.1.0")).unwrap());
}
