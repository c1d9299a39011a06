//! Accuracy of every secret rule, measured: true positives embedded in six file syntaxes
//! (TOML, YAML, JSON, .env, Rust, shell) and look-alikes that must not match (hashes,
//! UUIDs, base64 test vectors, placeholders, code). The counts are printed (run with
//! `--nocapture`) and asserted; docs/security.md lists them.
//!
//! Every credential here is synthetic and built at run time from split prefixes and a
//! seeded generator, so no committed file holds anything shaped like a real token.

mod common;

use common::{Rng, base64url};
use launchkit_scan::secrets::{RULES, Scanner, Secret};
use launchkit_testkit::TempDir;

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const URLSAFE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const UPPER32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const DIGITS: &[u8] = b"0123456789";
const HEX: &[u8] = b"0123456789abcdef";

/// A synthetic credential for `rule`: the name it is usually assigned to, and the value.
fn credential(rule: &str, variant: usize, rng: &mut Rng) -> (String, String) {
    let name = |name: &str| name.to_owned();
    match rule {
        "crates-io-token" => {
            (name("token"), concat!("ci", "o").to_owned() + &rng.string(32, ALNUM))
        }
        "crates-io-trusted-publishing-token" => {
            (name("token"), concat!("cio", "_tp_").to_owned() + &rng.string(32, ALNUM))
        }
        "github-token" => {
            let prefix = ["p", "o", "u", "s", "r"][variant % 5];
            (
                name("github_token"),
                format!("{}{prefix}_{}", concat!("g", "h"), rng.string(36, ALNUM)),
            )
        }
        "github-fine-grained-token" => {
            let value = format!(
                "{}{}_{}",
                concat!("github", "_pat_"),
                rng.string(22, ALNUM),
                rng.string(59, ALNUM)
            );
            (name("github_token"), value)
        }
        "aws-access-key-id" => {
            (name("aws_access_key_id"), concat!("AK", "IA").to_owned() + &rng.string(16, UPPER32))
        }
        "aws-secret-access-key" => (name("aws_secret_access_key"), rng.string(40, BASE64)),
        "slack-token" => {
            let value = format!(
                "{}-{}-{}-{}",
                concat!("xo", "xb"),
                rng.string(11, DIGITS),
                rng.string(12, DIGITS),
                rng.string(24, ALNUM)
            );
            (name("slack_token"), value)
        }
        "slack-webhook" => {
            let path = format!(
                "T{}/B{}/{}",
                rng.string(8, UPPER32),
                rng.string(10, UPPER32),
                rng.string(24, ALNUM)
            );
            (
                name("webhook_url"),
                format!("{}{path}", concat!("https://hooks.", "slack.com/services/")),
            )
        }
        "stripe-key" => {
            (name("stripe"), concat!("sk", "_live_").to_owned() + &rng.string(24 + variant, ALNUM))
        }
        "google-api-key" => {
            (name("maps"), concat!("AI", "za").to_owned() + &rng.string(35, URLSAFE))
        }
        "npm-token" => (name("npm_token"), concat!("np", "m_").to_owned() + &rng.string(36, ALNUM)),
        "pypi-token" => (
            name("pypi_token"),
            concat!("py", "pi-AgEIcHlwaS5vcmc").to_owned() + &rng.string(70 + variant, URLSAFE),
        ),
        "gitlab-token" => {
            (name("gitlab_token"), concat!("gl", "pat-").to_owned() + &rng.string(20, URLSAFE))
        }
        "jwt" => {
            let header = base64url(br#"{"alg":"HS256","typ":"JWT"}"#);
            let payload = base64url(
                format!(r#"{{"sub":"{}","iat":1700000000}}"#, rng.string(10, DIGITS)).as_bytes(),
            );
            (name("session"), format!("{header}.{payload}.{}", rng.string(43, URLSAFE)))
        }
        "generic-secret" => match variant % 3 {
            0 => (name("api_key"), rng.string(32, ALNUM)),
            1 => (name("db_password"), rng.string(12, ALNUM) + "!" + &rng.string(3, DIGITS)),
            _ => (name("client_secret"), rng.string(40, HEX)),
        },
        other => panic!("no generator for rule {other}: add one"),
    }
}

/// A file of each syntax assigning `value` to `name`, and the line of the assignment.
fn embeddings(name: &str, value: &str) -> Vec<(&'static str, String, u32)> {
    let upper = name.to_ascii_uppercase();
    vec![
        ("config.toml", format!("[service]\n{name} = \"{value}\"\n"), 2),
        ("config.yaml", format!("service:\n  region: eu-west-1\n  {name}: {value}\n"), 3),
        ("config.json", format!("{{\n  \"{name}\": \"{value}\",\n  \"retries\": 3\n}}\n"), 2),
        (".env", format!("# local settings\n{upper}={value}\n"), 2),
        (
            "src/main.rs",
            format!("fn main() {{\n    let {name} = \"{value}\";\n    run({name});\n}}\n"),
            2,
        ),
        ("deploy.sh", format!("#!/bin/sh\nset -eu\nexport {upper}=\"{value}\"\n"), 3),
    ]
}

/// A private key block in each syntax: a multi-line string, a YAML block, `\n` escapes.
fn private_key_embeddings(key: &str) -> Vec<(&'static str, String, u32)> {
    let lines =
        |indent: &str| key.lines().map(|line| format!("{indent}{line}\n")).collect::<String>();
    let escaped = key.replace('\n', "\\n");
    vec![
        ("keys.toml", format!("[tls]\nkey = \"\"\"\n{}\"\"\"\n", lines("")), 3),
        ("keys.yaml", format!("tls:\n  key: |\n{}", lines("    ")), 3),
        ("keys.json", format!("{{\n  \"key\": \"{escaped}\"\n}}\n"), 2),
        (".env", format!("TLS_KEY=\"{escaped}\"\n"), 1),
        ("src/tls.rs", format!("const KEY: &str = \"{escaped}\";\n"), 1),
        ("make-key.sh", format!("cat > key.pem <<EOF\n{}EOF\n", lines("")), 2),
    ]
}

/// A synthetic PEM RSA key: the body is random base64.
fn pem_key(rng: &mut Rng) -> String {
    let begin = concat!("-----BEGIN RSA ", "PRIVATE KEY-----");
    let end = concat!("-----END RSA ", "PRIVATE KEY-----");
    let body: Vec<String> = (0..4).map(|_| rng.string(64, BASE64)).collect();
    format!("{begin}\n{}\n{end}\n", body.join("\n"))
}

/// A key made by the real `ssh-keygen` in a temporary directory: `kind` is its `-t`,
/// `format` its `-m` (`None`: OpenSSH's own format), `passphrase` empty for none.
fn ssh_keygen(kind: &str, format: Option<&str>, passphrase: &str) -> String {
    let dir = TempDir::new(std::env::temp_dir(), "launchkit-ssh-keygen");
    let file = dir.path().join("key");
    let mut command = std::process::Command::new("ssh-keygen");
    command.args(["-q", "-t", kind, "-N", passphrase, "-C", "release@ci", "-f"]).arg(&file);
    if let Some(format) = format {
        command.args(["-m", format]);
    }
    let output = command.output().expect("ssh-keygen runs (install openssh-client)");
    assert!(
        output.status.success(),
        "ssh-keygen -t {kind}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read_to_string(&file).expect("ssh-keygen wrote the key")
}

/// Text that looks like a credential and is not one, in the syntaxes where it occurs.
fn look_alikes(rng: &mut Rng) -> Vec<(&'static str, String)> {
    let hex = |rng: &mut Rng, len| rng.string(len, HEX);
    let uuid = |rng: &mut Rng| {
        format!(
            "{}-{}-4{}-a{}-{}",
            hex(rng, 8),
            hex(rng, 4),
            hex(rng, 3),
            hex(rng, 3),
            hex(rng, 12)
        )
    };
    let github_placeholder = format!("{}_{}", concat!("gh", "p"), "x".repeat(36));
    let aws_example = concat!("AKIA", "IOSFODNN7", "EXAMPLE");
    let begin = concat!("-----BEGIN ", "PRIVATE KEY-----");
    vec![
        // Hashes.
        ("Cargo.toml.orig", format!("[source]\nsha256 = \"{}\"\n", hex(rng, 64))),
        ("ci.yaml", format!("cache:\n  key: {}\n  checksum: {}\n", "cargo-${{ hashFiles('Cargo.lock') }}", hex(rng, 64))),
        ("manifest.json", format!("{{\"commit\": \"{}\", \"integrity\": \"sha512-{}\"}}\n", hex(rng, 40), rng.string(86, BASE64))),
        (".env", format!("BUILD_COMMIT={}\nCACHE_KEY={}\n", hex(rng, 40), hex(rng, 64))),
        ("src/hash.rs", format!("const EMPTY_SHA256: &str = \"{}\";\nlet cache_key = \"{}\";\n", hex(rng, 64), hex(rng, 32))),
        ("verify.sh", format!("echo \"{}  file.tar.gz\" | sha256sum -c\n", hex(rng, 64))),
        // UUIDs.
        ("ids.toml", format!("project_key = \"{}\"\ntoken_id = \"{}\"\n", uuid(rng), uuid(rng))),
        ("ids.yaml", format!("api_key: {}\n", uuid(rng))),
        ("ids.json", format!("{{\"idempotency_key\": \"{}\", \"auth\": \"{}\"}}\n", uuid(rng), uuid(rng))),
        ("src/ids.rs", format!("let session_key = \"{}\";\n", uuid(rng))),
        // Base64 and hex test vectors: encoded text, sequences, repeated bytes.
        ("src/ws.rs", "let key = \"dGhlIHNhbXBsZSBub25jZQ==\";\nlet secret = \"SGVsbG8sIFdvcmxkIQ==\";\n".to_owned()),
        ("vectors.json", "{\"key\": \"000102030405060708090a0b0c0d0e0f\", \"hmac_key\": \"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b\"}\n".to_owned()),
        ("vectors.toml", "key = \"4a656665\"\nsecret = \"48656c6c6f20776f726c6421\"\n".to_owned()),
        ("tests/aes.rs", "const KEY: &[u8; 16] = b\"0123456789abcdef\";\nlet password = \"cGFzc3dvcmQxMjM0NQ==\";\n".to_owned()),
        // Placeholders.
        ("placeholders.toml", format!("token = \"your_key_here\"\ngithub_token = \"{github_placeholder}\"\n")),
        ("placeholders.yaml", "api_key: xxxxxxxxxxxxxxxxxxxx\npassword: \"<password>\"\ntoken: \"{{ secrets.TOKEN }}\"\n".to_owned()),
        ("placeholders.json", format!("{{\"aws_access_key_id\": \"{aws_example}\", \"secret_key\": \"REPLACE_ME_123456\"}}\n")),
        (".env.example", "GITHUB_TOKEN=${GITHUB_TOKEN}\nAPI_KEY=changeme12345\nSECRET_KEY=your-secret-key-1234\n".to_owned()),
        ("src/config.rs", "let token = std::env::var(\"TOKEN\")?;\nlet api_key = config.api_key;\nstruct S { password: String, key: KeyCode }\n".to_owned()),
        ("deploy.sh", "export TOKEN=\"${CARGO_REGISTRY_TOKEN}\"\ncurl -H \"Authorization: Bearer $TOKEN\" https://example.invalid\n".to_owned()),
        // Code and prose about credentials.
        ("src/pem.rs", format!("if line.starts_with(\"{begin}\") {{ return Kind::Key; }}\n")),
        ("README.md", "Set `token = \"...\"` in the config; the `password_file` is read at start.\n".to_owned()),
        ("public.toml", format!("public_key = \"{}\"\nkey_file = \"keys/signing2.pem\"\n", rng.string(44, BASE64))),
        ("sizes.yaml", "max_key_length: 1234567890\nsort_key: created_at_2024\n".to_owned()),
        // Identifiers, code paths, numbers, URLs and test-vector files found by scanning the
        // sources of 209 crates.io crates.
        (
            "src/tls.rs",
            "let key = PrivatePkcs8KeyDer::from(&der[..]);\nlet key = self.key.0.as_ref();\n\
             let client_auth = emit_certificate_req_tls13(&mut flight)?;\n"
                .to_owned(),
        ),
        ("src/consts.rs", "pub const ERROR_WRONG_PASSWORD: u32 = 1323u32;\npub Key: KERB_CRYPTO_KEY32,\n".to_owned()),
        ("src/uri.rs", "/// abc://username:password@example.com:123/path?key=value&key2=value2#fragid1\n".to_owned()),
        ("urltestdata.json", "{\"password\": \"pass%5B%7F\", \"username\": \"%c3%89t%C3%A9\"}\n".to_owned()),
        ("src/aead.rs", format!("let key =\n    hex(\"{}\");\nvpaes_set_encrypt_key:\n  mov x0, 1\n", hex(rng, 64))),
        ("tests/poly1305_test.txt", format!("Key = {}\nTag = {}\n", hex(rng, 64), hex(rng, 32))),
        (".circleci/config.yml", "key: project-cache-v7-{{ checksum \"Cargo.toml\" }}\n".to_owned()),
    ]
}

fn scan_one(scanner: &Scanner, path: &str, content: &str) -> Vec<Secret> {
    scanner.scan(path, content)
}

#[test]
fn every_rule_finds_its_credentials_in_every_syntax_and_nothing_else() {
    let scanner = Scanner::new();
    let mut rng = Rng::new(0x5eed_1aa5);
    let mut detected = 0;
    let mut total = 0;
    let mut failures = Vec::new();
    println!("{:<36} {:>9}", "rule", "detected");
    for rule in RULES {
        let mut cases = Vec::new();
        if rule.id == "private-key" {
            cases.extend(private_key_embeddings(&pem_key(&mut rng)));
        } else if rule.id == "openssh-private-key" {
            cases.extend(private_key_embeddings(&ssh_keygen("ed25519", None, "")));
        } else {
            for variant in 0..6 {
                let (name, value) = credential(rule.id, variant, &mut rng);
                let (path, content, line) = embeddings(&name, &value).swap_remove(variant);
                cases.push((path, content, line));
            }
        }
        let mut rule_detected = 0;
        for (path, content, line) in &cases {
            let found = scan_one(&scanner, path, content);
            match found.as_slice() {
                [secret] if secret.rule.id == rule.id && secret.line == *line => rule_detected += 1,
                _ => failures.push(format!(
                    "{} in {path}: expected one finding at line {line}, got {found:?}\n{content}",
                    rule.id
                )),
            }
        }
        println!("{:<36} {:>5}/{}", rule.id, rule_detected, cases.len());
        detected += rule_detected;
        total += cases.len();
    }
    let look_alikes = look_alikes(&mut rng);
    let mut false_positives = 0;
    for (path, content) in &look_alikes {
        let found = scan_one(&scanner, path, content);
        if !found.is_empty() {
            false_positives += found.len();
            failures.push(format!("false positive in {path}: {found:?}\n{content}"));
        }
    }
    println!(
        "true positives: {detected}/{total} detected; false positives: {false_positives} in {} look-alike files",
        look_alikes.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!((detected, total), (102, 102));
}

#[test]
fn findings_are_redacted_allowed_and_fingerprinted() {
    let scanner = Scanner::new();
    let mut rng = Rng::new(7);
    let token = concat!("gh", "p_").to_owned() + &rng.string(36, ALNUM);
    let found = scanner.scan("a.toml", &format!("token = \"{token}\"\n"));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].redacted(), format!("{}**** (40 characters)", &token[..4]));
    let finding = found[0].finding(".launchkit/secrets-ignore");
    let shown = format!("{finding:?} {:?}", found[0]);
    assert!(!shown.contains(&token[4..]), "the secret leaked: {shown}");
    assert_eq!(finding.location().unwrap(), "a.toml:1:10");
    assert!(finding.fix.unwrap().contains(&found[0].fingerprint()));

    let allowed = format!("token = \"{token}\" # launchkit:allow: documented revoked token\n");
    assert!(scanner.scan("a.toml", &allowed).is_empty());
    let elsewhere = scanner.scan("b.toml", &format!("token = \"{token}\"\n"));
    assert_ne!(
        elsewhere[0].fingerprint(),
        found[0].fingerprint(),
        "the fingerprint covers the file"
    );
}

/// Fingerprints are stored in ignore files, so they must never change: the first 16 hex
/// digits of SHA-256 over `rule \0 path \0 secret \0` (computed here with Python's
/// hashlib).
#[test]
fn fingerprints_are_sha256_of_rule_path_and_secret() {
    let token = concat!("gh", "p_", "aB3dE5gH7jK9mN1pQ2rS4tU6vW8xY0zA1bC3");
    let found = Scanner::new().scan("a.toml", &format!("token = \"{token}\"\n"));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].fingerprint(), "4c0860a237ffa47d");
}

#[test]
fn tokens_must_be_whole() {
    let scanner = Scanner::new();
    let mut rng = Rng::new(11);
    let too_long = concat!("ci", "o").to_owned() + &rng.string(40, ALNUM);
    assert!(scanner.scan("a.txt", &too_long).is_empty());
    let inside_word = format!("x{}{}", concat!("np", "m_"), rng.string(36, ALNUM));
    assert!(scanner.scan("a.txt", &inside_word).is_empty());
}

/// The line breaks of `key` escaped `depth` times, as in a string literal (1), JSON inside
/// a JSON string (2), and so on.
fn escaped(key: &str, depth: u32) -> String {
    key.replace('\n', &format!("{}n", "\\".repeat(2usize.pow(depth) - 1)))
}

#[test]
fn keys_made_by_ssh_keygen_are_found_whatever_the_type_format_passphrase_and_escaping() {
    let scanner = Scanner::new();
    let mut failures = Vec::new();
    let mut checked = 0;
    for (kind, format) in [
        ("ed25519", None),
        ("rsa", None),
        ("ecdsa", None),
        ("rsa", Some("PEM")),
        ("ecdsa", Some("PEM")),
        ("rsa", Some("PKCS8")),
        ("ecdsa", Some("PKCS8")),
    ] {
        for passphrase in ["", "correct horse battery staple"] {
            let key = ssh_keygen(kind, format, passphrase);
            let rule = if key.contains(concat!("OPENSSH ", "PRIVATE KEY")) {
                "openssh-private-key"
            } else {
                "private-key"
            };
            let mut texts = vec![("id_key", key.clone()), ("key.pem", format!("\n\n{key}"))];
            for depth in 1..=3 {
                texts.push(("config.json", format!("{{\"key\": \"{}\"}}\n", escaped(&key, depth))));
            }
            let json = serde_json::to_string(&serde_json::json!({ "private_key": key })).unwrap();
            texts.push((
                "config.json",
                format!("{{\"deploy\": {}}}", serde_json::to_string(&json).unwrap()),
            ));
            // PHP's json_encode and others escape slashes too.
            let slashes = escaped(&key, 1).replace('/', "\\/");
            texts.push(("config.json", format!("{{\"key\": \"{slashes}\"}}\n")));
            texts.push((
                "src/keys.rs",
                format!("const KEY: &str = \"{}\";\n", key.replace('\n', "\\r\\n")),
            ));
            texts.push((
                "src/keys.rs",
                format!("const KEY: &str = \"\\\n{}\";\n", key.replace('\n', "\\n\\\n    ")),
            ));
            let mut fingerprints = Vec::new();
            for (path, text) in &texts {
                checked += 1;
                let found = scanner.scan(path, text);
                let line =
                    text[..text.find("-----BEGIN").unwrap()].matches('\n').count() as u32 + 1;
                match found.as_slice() {
                    [secret] if secret.rule.id == rule && secret.line == line => {
                        fingerprints.push((path, secret.fingerprint()))
                    }
                    _ => failures.push(format!(
                        "{kind} {format:?} passphrase {:?} in {path}: expected {rule} at line {line}, got {found:?}\n{text}",
                        !passphrase.is_empty()
                    )),
                }
            }
            // The same key in the same file is the same secret, however it is escaped.
            fingerprints.retain(|(path, _)| **path == "config.json");
            fingerprints.dedup_by(|a, b| a.1 == b.1);
            assert!(fingerprints.len() <= 1, "{kind} {format:?}: fingerprints differ by escaping");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(checked, 7 * 2 * 9);
}

#[test]
fn key_shaped_filler_is_not_a_key() {
    let scanner = Scanner::new();
    let begin = concat!("-----BEGIN OPENSSH ", "PRIVATE KEY-----");
    for body in [
        "A".repeat(70),
        "x".repeat(70),
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".to_owned(),
    ] {
        let text = format!("{begin}\n{body}\n{}\n", begin.replace("BEGIN", "END"));
        assert!(scanner.scan("README.md", &text).is_empty(), "{body}");
    }
}
