//! The scan settings in the root Cargo.toml, under `[workspace.metadata.launchkit]`:
//!
//! ```toml
//! [workspace.metadata.launchkit]
//! secrets.ignore-file = ".launchkit/secrets-ignore"
//! audit.ignore = [{ id = "RUSTSEC-2020-0071", reason = "only `time::now` is affected; we never call it" }]
//! audit.db-url = "https://github.com/rustsec/advisory-db.git"
//! outdated.warn = false
//! outdated.deny = false
//! ```
//!
//! Every key is optional. An unknown key is an error rather than a silent no-op, so a
//! typo cannot switch a check off.

use toml_edit::{Document, Item, TableLike};

use crate::audit::IgnoredAdvisory;
use crate::lockfile::one_line;
use crate::secrets::ignore;

/// Where cargo-audit and launchkit fetch the advisory database from.
pub const ADVISORY_DB_URL: &str = "https://github.com/rustsec/advisory-db.git";

/// The scan settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanConfig {
    /// The secrets ignore file, relative to the workspace root.
    pub secrets_ignore_file: String,
    /// Advisories that do not apply, with reasons.
    pub audit_ignore: Vec<IgnoredAdvisory>,
    /// The git repository of the advisory database.
    pub advisory_db_url: String,
    /// Outdated and yanked dependencies are warnings (which strict mode fails) instead of
    /// notes.
    pub outdated_warn: bool,
    /// Outdated and yanked dependencies fail preflight in every mode.
    pub outdated_deny: bool,
}

impl Default for ScanConfig {
    fn default() -> ScanConfig {
        ScanConfig {
            secrets_ignore_file: ignore::DEFAULT_PATH.to_owned(),
            audit_ignore: Vec::new(),
            advisory_db_url: ADVISORY_DB_URL.to_owned(),
            outdated_warn: false,
            outdated_deny: false,
        }
    }
}

impl ScanConfig {
    /// Reads the settings from the text of the root Cargo.toml; the error names the key.
    pub fn from_manifest(text: &str) -> Result<ScanConfig, String> {
        let document = Document::parse(text).map_err(|err| one_line(&err.to_string()))?;
        let mut config = ScanConfig::default();
        let launchkit = ["workspace", "metadata", "launchkit"]
            .iter()
            .try_fold(document.as_item(), |item, key| item.get(key));
        let Some(launchkit) = launchkit.and_then(Item::as_table_like) else {
            return Ok(config);
        };
        if let Some(secrets) = section(launchkit, "secrets", &["ignore-file"])?
            && let Some(path) = string(secrets, "secrets", "ignore-file")?
        {
            config.secrets_ignore_file = path;
        }
        if let Some(audit) = section(launchkit, "audit", &["ignore", "db-url"])? {
            config.audit_ignore = ignored_advisories(audit)?;
            if let Some(url) = string(audit, "audit", "db-url")? {
                config.advisory_db_url = url;
            }
        }
        if let Some(outdated) = section(launchkit, "outdated", &["warn", "deny"])? {
            let flag = |key: &str| {
                outdated.get(key).map_or(Ok(false), |value| {
                    value.as_bool().ok_or(format!("outdated.{key} must be true or false"))
                })
            };
            config.outdated_warn = flag("warn")?;
            config.outdated_deny = flag("deny")?;
        }
        Ok(config)
    }
}

fn section<'a>(
    launchkit: &'a dyn TableLike,
    name: &str,
    known: &[&str],
) -> Result<Option<&'a dyn TableLike>, String> {
    let Some(item) = launchkit.get(name) else {
        return Ok(None);
    };
    let table = item
        .as_table_like()
        .ok_or(format!("{name} in [workspace.metadata.launchkit] must be a table"))?;
    if let Some((key, _)) = table.iter().find(|(key, _)| !known.contains(key)) {
        return Err(format!(
            "unknown setting {name}.{key} in [workspace.metadata.launchkit]: use one of {}",
            known.join(", ")
        ));
    }
    Ok(Some(table))
}

fn string(table: &dyn TableLike, section: &str, key: &str) -> Result<Option<String>, String> {
    table
        .get(key)
        .map(|item| {
            item.as_str().map(str::to_owned).ok_or(format!("{section}.{key} must be a string"))
        })
        .transpose()
}

fn ignored_advisories(audit: &dyn TableLike) -> Result<Vec<IgnoredAdvisory>, String> {
    let Some(item) = audit.get("ignore") else {
        return Ok(Vec::new());
    };
    let entries: Vec<&dyn TableLike> = match (item.as_array(), item.as_array_of_tables()) {
        (Some(array), _) => array
            .iter()
            .map(|value| value.as_inline_table().map(|table| table as &dyn TableLike))
            .collect::<Option<_>>(),
        (_, Some(tables)) => Some(tables.iter().map(|table| table as &dyn TableLike).collect()),
        _ => None,
    }
    .ok_or("audit.ignore must be a list of { id = \"RUSTSEC-...\", reason = \"...\" }")?;
    entries
        .into_iter()
        .enumerate()
        .map(|(index, entry)| {
            let field = |key: &str| entry.get(key).and_then(Item::as_str).map(str::trim).filter(|text| !text.is_empty());
            let id = field("id").ok_or(format!("audit.ignore entry {} has no `id`", index + 1))?;
            let reason = field("reason").ok_or(format!(
                "audit.ignore entry {id} has no `reason`: say why the advisory cannot affect this workspace"
            ))?;
            Ok(IgnoredAdvisory { id: id.to_owned(), reason: reason.to_owned() })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_read_in_dotted_and_table_form() {
        let dotted = "[workspace.metadata.launchkit]\naudit.ignore = [{ id = \"RUSTSEC-1\", reason = \"not used\" }]\noutdated.deny = true\noutdated.warn = true\n";
        let config = ScanConfig::from_manifest(dotted).unwrap();
        assert_eq!(
            config.audit_ignore,
            [IgnoredAdvisory { id: "RUSTSEC-1".into(), reason: "not used".into() }]
        );
        assert!(config.outdated_deny && config.outdated_warn);
        let tables = "[workspace.metadata.launchkit.secrets]\nignore-file = \"x\"\n";
        assert_eq!(ScanConfig::from_manifest(tables).unwrap().secrets_ignore_file, "x");
        assert_eq!(ScanConfig::from_manifest("[workspace]\n").unwrap(), ScanConfig::default());
    }

    #[test]
    fn mistakes_name_the_key() {
        let no_reason = "[workspace.metadata.launchkit]\naudit.ignore = [{ id = \"RUSTSEC-1\" }]\n";
        assert!(
            ScanConfig::from_manifest(no_reason)
                .unwrap_err()
                .starts_with("audit.ignore entry RUSTSEC-1 has no `reason`")
        );
        let typo = "[workspace.metadata.launchkit]\naudit.ignores = []\n";
        assert!(
            ScanConfig::from_manifest(typo)
                .unwrap_err()
                .starts_with("unknown setting audit.ignores")
        );
    }
}
