//! Registries resolved the way cargo resolves them.
//!
//! Config files are read from the working directory's `.cargo/` up to the file-system
//! root, then `$CARGO_HOME/config.toml`; a nearer file wins, and the environment
//! (`CARGO_REGISTRIES_<NAME>_INDEX`, `CARGO_REGISTRY_DEFAULT`, ...) wins over all files.
//! Tokens come from the environment or `$CARGO_HOME/credentials.toml`. Source replacement
//! of crates.io is noted, not followed: publishing always goes to the real registry.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use toml_edit::{DocumentMut, Item};

use crate::error::RegistryError;

/// cargo's name for crates.io in `--registry`, `publish = [..]` and config.
pub const CRATES_IO: &str = "crates-io";

/// crates.io's sparse index.
pub const CRATES_IO_INDEX: &str = "sparse+https://index.crates.io/";

/// How long one HTTP request may take when cargo's `http.timeout` is not set.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// A registry token. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Wraps a token value.
    pub fn new(value: impl Into<String>) -> Token {
        Token(value.into())
    }

    /// The value, for an `Authorization` header and nothing else.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `text` with every occurrence of the token replaced by `***`, for showing output
    /// of a command that had it (an empty token hides nothing).
    pub fn redact(&self, text: &str) -> String {
        if self.0.is_empty() { text.to_owned() } else { text.replace(&self.0, "***") }
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

/// A registry ready to be read or published to.
#[derive(Debug, Clone)]
pub struct Registry {
    /// Its name: `crates-io` or the `[registries.NAME]` key.
    pub name: String,
    /// The index URL as cargo takes it, `sparse+https://...`.
    pub index: String,
    /// The token, when the environment or `credentials.toml` has one.
    pub token: Option<Token>,
    /// Where the token came from, or where one would be read from when there is none.
    pub token_source: String,
    /// A credential provider other than cargo's token store, which cargo asks at upload
    /// time; launchkit cannot see that token.
    pub credential_provider: Option<String>,
    /// Things worth telling the user, such as a source replacement.
    pub notes: Vec<String>,
    /// How long one request may take: cargo's `http.timeout` (`CARGO_HTTP_TIMEOUT`),
    /// 30 seconds by default.
    pub timeout: Duration,
}

impl Registry {
    /// True for crates.io.
    pub fn is_crates_io(&self) -> bool {
        self.name == CRATES_IO
    }

    /// The index URL without the `sparse+` prefix, ending in `/`.
    pub fn index_base(&self) -> String {
        let url = self.index.strip_prefix("sparse+").unwrap_or(&self.index);
        if url.ends_with('/') { url.to_owned() } else { format!("{url}/") }
    }
}

/// The registry settings of every cargo config file that applies, plus the environment.
#[derive(Debug, Clone, Default)]
pub struct CargoConfig {
    /// `(file, document)`, nearest first.
    files: Vec<(PathBuf, DocumentMut)>,
    credentials: Option<DocumentMut>,
    env: BTreeMap<String, String>,
}

impl CargoConfig {
    /// The configuration cargo would see when run in `cwd`.
    pub fn discover(cwd: &Path) -> Result<CargoConfig, RegistryError> {
        let env: BTreeMap<String, String> = std::env::vars().collect();
        let home = env.get("CARGO_HOME").map(PathBuf::from).or_else(|| {
            env.get("HOME")
                .or_else(|| env.get("USERPROFILE"))
                .map(|home| Path::new(home).join(".cargo"))
        });
        CargoConfig::read(cwd, home.as_deref(), env)
    }

    /// The configuration for `cwd` with `cargo_home` and the variables `env` (for tests).
    pub fn read(
        cwd: &Path,
        cargo_home: Option<&Path>,
        env: BTreeMap<String, String>,
    ) -> Result<CargoConfig, RegistryError> {
        let mut dirs: Vec<PathBuf> = cwd.ancestors().map(|dir| dir.join(".cargo")).collect();
        if let Some(home) = cargo_home.filter(|home| !dirs.iter().any(|dir| dir == home)) {
            dirs.push(home.to_owned());
        }
        let mut files = Vec::new();
        for dir in dirs {
            if let Some(found) = read_toml(&dir, "config")? {
                files.push(found);
            }
        }
        let credentials = match cargo_home {
            Some(home) => read_toml(home, "credentials")?.map(|(_, doc)| doc),
            None => None,
        };
        Ok(CargoConfig { files, credentials, env })
    }

    /// The registry `name`, or the default one (`registry.default`, else crates.io).
    ///
    /// ```
    /// use std::collections::BTreeMap;
    ///
    /// use launchkit_registry::CargoConfig;
    ///
    /// let project = std::env::temp_dir().join(format!("registry-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(project.join(".cargo")).unwrap();
    /// std::fs::write(
    ///     project.join(".cargo/config.toml"),
    ///     "[registries.company]\nindex = \"sparse+https://index.example.com/\"\n",
    /// ).unwrap();
    /// let env = BTreeMap::from([("CARGO_REGISTRIES_COMPANY_TOKEN".to_owned(), "secret".to_owned())]);
    /// let config = CargoConfig::read(&project, None, env).unwrap();
    ///
    /// let company = config.registry(Some("company")).unwrap();
    /// assert_eq!(company.index_base(), "https://index.example.com/");
    /// assert_eq!(company.token.unwrap().expose(), "secret");
    /// assert_eq!(company.token_source, "environment variable CARGO_REGISTRIES_COMPANY_TOKEN");
    /// assert!(config.registry(None).unwrap().is_crates_io());
    /// let unknown = config.registry(Some("elsewhere")).unwrap_err().to_string();
    /// assert!(unknown.starts_with("unknown registry `elsewhere`"), "{unknown}");
    /// std::fs::remove_dir_all(&project).unwrap();
    /// ```
    pub fn registry(&self, name: Option<&str>) -> Result<Registry, RegistryError> {
        let name = match name {
            Some(name) => name.to_owned(),
            None => self
                .setting("CARGO_REGISTRY_DEFAULT", &["registry", "default"])
                .unwrap_or_else(|| CRATES_IO.to_owned()),
        };
        let key = env_key(&name);
        let mut notes = Vec::new();
        let index = if name == CRATES_IO {
            if let Some((file, replacement)) =
                self.file_value(&["source", CRATES_IO, "replace-with"])
            {
                notes.push(format!(
                    "crates.io is replaced by source `{replacement}` in {}: launchkit reads and publishes to crates.io itself",
                    file.display()
                ));
            }
            CRATES_IO_INDEX.to_owned()
        } else {
            self.setting(&format!("CARGO_REGISTRIES_{key}_INDEX"), &["registries", &name, "index"]).ok_or_else(|| {
                RegistryError::Config(format!(
                    "unknown registry `{name}`: add `[registries.{name}] index = \"sparse+https://...\"` to .cargo/config.toml or set CARGO_REGISTRIES_{key}_INDEX"
                ))
            })?
        };
        if !index.starts_with("sparse+") {
            return Err(RegistryError::Config(format!(
                "registry `{name}` has a git index ({index}): launchkit reads sparse indexes only; use its `sparse+https://...` URL"
            )));
        }
        let (token, token_source) = self.token(&name, &key);
        let credential_provider = self
            .setting(
                &format!("CARGO_REGISTRIES_{key}_CREDENTIAL_PROVIDER"),
                &["registries", &name, "credential-provider"],
            )
            .or_else(|| {
                self.setting(
                    "CARGO_REGISTRY_GLOBAL_CREDENTIAL_PROVIDERS",
                    &["registry", "global-credential-providers"],
                )
            })
            // cargo's token store alone reads what `token` holds; any other provider
            // (`cargo:token-from-stdout`, `cargo:libsecret`, ...) is asked by cargo.
            .filter(|provider| provider.trim() != "cargo:token");
        let timeout = self.timeout()?;
        Ok(Registry { name, index, token, token_source, credential_provider, notes, timeout })
    }

    /// cargo's `http.timeout`, in whole seconds as cargo reads it.
    fn timeout(&self) -> Result<Duration, RegistryError> {
        let Some(text) = self.setting("CARGO_HTTP_TIMEOUT", &["http", "timeout"]) else {
            return Ok(DEFAULT_TIMEOUT);
        };
        match text.trim().parse::<u64>() {
            Ok(seconds) if seconds > 0 => Ok(Duration::from_secs(seconds)),
            _ => Err(RegistryError::Config(format!(
                "http.timeout `{text}` is not a number of seconds: set CARGO_HTTP_TIMEOUT or `[http] timeout` to a whole number above 0"
            ))),
        }
    }

    /// The token from the environment, then `credentials.toml`, then (deprecated) config.
    fn token(&self, name: &str, key: &str) -> (Option<Token>, String) {
        let (var, path): (String, Vec<&str>) = if name == CRATES_IO {
            ("CARGO_REGISTRY_TOKEN".to_owned(), vec!["registry", "token"])
        } else {
            (format!("CARGO_REGISTRIES_{key}_TOKEN"), vec!["registries", name, "token"])
        };
        if let Some(value) = self.env.get(&var).filter(|value| !value.is_empty()) {
            return (Some(Token::new(value)), format!("environment variable {var}"));
        }
        if let Some(value) = self.credentials.as_ref().and_then(|doc| lookup(doc.as_item(), &path))
        {
            return (Some(Token::new(value)), "cargo's credentials.toml".to_owned());
        }
        if let Some((file, value)) = self.file_value(&path) {
            return (Some(Token::new(value)), file.display().to_string());
        }
        let login = if name == CRATES_IO {
            "cargo login".to_owned()
        } else {
            format!("cargo login --registry {name}")
        };
        (None, format!("set {var} or run `{login}`"))
    }

    /// An environment variable, else the nearest config file's value at `path`.
    fn setting(&self, var: &str, path: &[&str]) -> Option<String> {
        self.env.get(var).cloned().or_else(|| self.file_value(path).map(|(_, value)| value))
    }

    fn file_value(&self, path: &[&str]) -> Option<(PathBuf, String)> {
        self.files
            .iter()
            .find_map(|(file, doc)| lookup(doc.as_item(), path).map(|value| (file.clone(), value)))
    }
}

/// A string at a dotted path (`registries.NAME.index`), in tables, dotted keys or inline
/// tables alike. Numbers come back as written; arrays of strings (credential providers)
/// joined by spaces.
fn lookup(item: &Item, path: &[&str]) -> Option<String> {
    let mut current = item;
    for key in path {
        current = current.as_table_like()?.get(key)?;
    }
    if let Some(text) = current.as_str() {
        return Some(text.to_owned());
    }
    if let Some(number) = current.as_integer() {
        return Some(number.to_string());
    }
    let array = current.as_array()?;
    Some(array.iter().filter_map(|value| value.as_str()).collect::<Vec<_>>().join(" "))
}

/// `dir/{stem}.toml`, else `dir/{stem}` (cargo's older name).
fn read_toml(dir: &Path, stem: &str) -> Result<Option<(PathBuf, DocumentMut)>, RegistryError> {
    for path in [dir.join(format!("{stem}.toml")), dir.join(stem)] {
        if !path.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|err| {
            RegistryError::Config(format!("cannot read {}: {err}", path.display()))
        })?;
        let doc = text.parse::<DocumentMut>().map_err(|err| {
            let first = err.to_string().lines().next().unwrap_or_default().to_owned();
            RegistryError::Config(format!("cannot parse {}: {first}", path.display()))
        })?;
        return Ok(Some((path, doc)));
    }
    Ok(None)
}

/// cargo's environment spelling of a registry name: `my-reg` -> `MY_REG`.
pub(crate) fn env_key(name: &str) -> String {
    name.to_uppercase().replace(['-', '.'], "_")
}

#[cfg(test)]
mod tests;
