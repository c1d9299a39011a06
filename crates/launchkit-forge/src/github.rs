//! Releases on forges with drafts, GitHub's REST API and Gitea's (and Forgejo's) API v1,
//! which share the release's shape (`id`, `tag_name`, `name`, `body`, `draft`,
//! `prerelease`, `html_url`, `assets`) and the order: create a draft, attach the assets,
//! `PATCH` it to `draft: false`. They differ in finding a draft (GitHub's tag look-up
//! hides drafts, so the list is read; Gitea's shows them), in the answer to a second
//! create (GitHub `422 already_exists`, Gitea `409`), and in uploads (GitHub: the raw
//! file to the release's `upload_url`; Gitea: `multipart/form-data` with an `attachment`
//! part to `releases/{id}/assets`). The Gitea parts are in `gitea.rs`.

use serde::Deserialize;
use serde_json::json;

use crate::http::{Answer, Body};
use crate::{Asset, Client, Error, Existing, Kind, Notes, Outcome, segment};

/// A release as both APIs return it.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Release {
    pub id: u64,
    pub tag_name: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    prerelease: bool,
    #[serde(default)]
    html_url: String,
    /// GitHub's, with a `{?name,label}` template at its end.
    #[serde(default)]
    upload_url: String,
    #[serde(default)]
    assets: Vec<Attached>,
}

/// An asset of a release.
#[derive(Debug, Clone, Deserialize)]
struct Attached {
    id: u64,
    name: String,
    #[serde(default)]
    size: u64,
    /// GitHub's: `starter` for an upload that broke off.
    #[serde(default)]
    state: Option<String>,
}

impl Attached {
    fn complete(&self, asset: &Asset) -> bool {
        self.name == asset.name
            && self.size == asset.bytes.len() as u64
            && self.state.as_deref() != Some("starter")
    }
}

impl Release {
    pub fn existing(&self) -> Existing {
        Existing {
            url: self.html_url.clone(),
            draft: self.draft,
            name: self.name.clone().unwrap_or_default(),
            body: self.body.clone().unwrap_or_default(),
            prerelease: self.prerelease,
            assets: self.assets.iter().map(|asset| asset.name.clone()).collect(),
        }
    }
}

/// `repos/OWNER/REPO/releases{rest}`.
pub(crate) fn releases(client: &Client, rest: &str) -> String {
    client.url(&format!("repos/{}/releases{rest}", client.project.path))
}

pub(crate) fn parse(client: &Client, answer: &Answer) -> Result<Release, Error> {
    serde_json::from_str(&answer.body)
        .map_err(|err| Error(format!("{}'s answer is not a release: {err}", client.project.kind)))
}

/// The release of `tag`: by the tag look-up, else (drafts) in the list.
pub(crate) fn find(client: &Client, tag: &str) -> Result<Option<Release>, Error> {
    let answer = client.http.send(
        "GET",
        &releases(client, &format!("/tags/{}", segment(tag))),
        &Body::Empty,
    )?;
    match answer.status {
        200 => Ok(Some(parse(client, &answer)?)),
        404 => listed(client, tag),
        _ => Err(client.error("look up the release", &answer)),
    }
}

/// The release of `tag` in the release list, drafts included (the first 1000).
fn listed(client: &Client, tag: &str) -> Result<Option<Release>, Error> {
    for page in 1..=10 {
        let url = releases(client, &format!("?per_page=100&page={page}"));
        let answer = client.http.send("GET", &url, &Body::Empty)?;
        if answer.status != 200 {
            return Err(client.error("list the releases", &answer));
        }
        let list: Vec<Release> = serde_json::from_str(&answer.body)
            .map_err(|err| Error(format!("GitHub's release list is not JSON: {err}")))?;
        if let Some(found) = list.iter().find(|release| release.tag_name == tag) {
            return Ok(Some(found.clone()));
        }
        if list.len() < 100 {
            break;
        }
    }
    Ok(None)
}

/// Creates, fills and publishes the release of `notes.tag`, or brings the existing one
/// up to date.
pub(crate) fn publish(client: &Client, notes: &Notes, assets: &[Asset]) -> Result<Outcome, Error> {
    let kind = client.project.kind;
    let found = match kind {
        Kind::Gitea => crate::gitea::find(client, notes.tag)?,
        _ => find(client, notes.tag)?,
    };
    let (release, created) = match found {
        Some(release) => (release, false),
        None => create(client, notes)?,
    };
    if !created && release.existing().matches(kind, notes, &crate::names(assets)) {
        return Ok(Outcome::Unchanged(release.html_url));
    }
    attach(client, &release, assets)?;
    let url = releases(client, &format!("/{}", release.id));
    let fields = json!({
        "tag_name": notes.tag,
        "name": notes.name,
        "body": notes.body,
        "draft": false,
        "prerelease": notes.prerelease,
    });
    let answer = client.http.send("PATCH", &url, &Body::Json(fields))?;
    if answer.status != 200 {
        return Err(client.error("publish the release", &answer));
    }
    let page = parse(client, &answer)?.html_url;
    Ok(if created { Outcome::Created(page) } else { Outcome::Updated(page) })
}

/// A new draft; `true` when this call created it, `false` when a release of the tag
/// appeared meanwhile (a retried create that had worked, another run).
fn create(client: &Client, notes: &Notes) -> Result<(Release, bool), Error> {
    let fields = json!({
        "tag_name": notes.tag,
        "name": notes.name,
        "body": notes.body,
        "draft": true,
        "prerelease": notes.prerelease,
    });
    let answer = client.http.send("POST", &releases(client, ""), &Body::Json(fields))?;
    let exists = match client.project.kind {
        Kind::Gitea => answer.status == 409,
        _ => answer.status == 422 && answer.body.contains("already_exists"),
    };
    match answer.status {
        201 => Ok((parse(client, &answer)?, true)),
        _ if exists => {
            let found = match client.project.kind {
                Kind::Gitea => crate::gitea::find(client, notes.tag)?,
                _ => find(client, notes.tag)?,
            };
            let Some(release) = found else {
                return Err(Error(format!(
                    "{} says a release of {} exists but does not show it",
                    client.project.kind, notes.tag
                )));
            };
            Ok((release, false))
        }
        _ => Err(client.error("create the release", &answer)),
    }
}

/// Uploads each asset the release lacks, replacing a broken or different one first. An
/// upload whose answer did not come (5xx, broken connection) may have arrived: the
/// release is read again before the next try, so no file is attached twice.
fn attach(client: &Client, release: &Release, assets: &[Asset]) -> Result<(), Error> {
    let mut current = release.clone();
    for asset in assets {
        let mut waits = client.http.backoff();
        loop {
            if let Some(attached) = current.assets.iter().find(|a| a.name == asset.name) {
                if attached.complete(asset) {
                    break;
                }
                remove(client, &current, attached.id, asset)?;
            }
            let answer = upload(client, &current, asset);
            if matches!(&answer, Ok(answer) if answer.status == 201) {
                break;
            }
            let unanswered = match &answer {
                Ok(answer) => answer.status >= 500 || answer.body.contains("already_exists"),
                Err(_) => true,
            };
            let wait = waits.next().filter(|_| unanswered);
            let Some(wait) = wait else {
                return Err(match answer {
                    Ok(answer) => client.error(&format!("attach {}", asset.name), &answer),
                    Err(err) => err,
                });
            };
            std::thread::sleep(wait);
            current = reread(client, current.id)?;
        }
    }
    Ok(())
}

/// `asset` to `release`: GitHub's raw upload to its `upload_url`, Gitea's form.
fn upload(client: &Client, release: &Release, asset: &Asset) -> Result<Answer, Error> {
    if client.project.kind == Kind::Gitea {
        return crate::gitea::upload(client, release, asset);
    }
    let base = release.upload_url.split('{').next().unwrap_or_default();
    let url = format!("{base}?name={}", segment(&asset.name));
    let body = Body::Bytes { content_type: "application/octet-stream", bytes: &asset.bytes };
    client.http.send_rate_limited("POST", &url, &body)
}

/// Deletes a broken or different asset so that `asset` can take its name.
fn remove(client: &Client, release: &Release, id: u64, asset: &Asset) -> Result<(), Error> {
    let url = match client.project.kind {
        Kind::Gitea => releases(client, &format!("/{}/assets/{id}", release.id)),
        _ => releases(client, &format!("/assets/{id}")),
    };
    let answer = client.http.send("DELETE", &url, &Body::Empty)?;
    if answer.status != 204 && answer.status != 404 {
        return Err(client.error(&format!("replace asset {}", asset.name), &answer));
    }
    Ok(())
}

/// The release with id `id`, as it is now.
fn reread(client: &Client, id: u64) -> Result<Release, Error> {
    let answer = client.http.send("GET", &releases(client, &format!("/{id}")), &Body::Empty)?;
    if answer.status != 200 {
        return Err(client.error("read the release", &answer));
    }
    parse(client, &answer)
}
