//! GitLab's Releases API (`/projects/:id/releases`, the project's path URL-encoded as its
//! id). GitLab has no draft releases, and a release's assets are links: GitLab's
//! documented way to attach files is to upload them to the project's generic package
//! registry (`PUT /projects/:id/packages/generic/:package/:version/:file`) and link them
//! (`link_type: package`). So the files go up first and the release is created with its
//! links in one request: it never shows without them. A re-run adds the links a release
//! lacks (`POST .../releases/:tag/assets/links`) and `PUT`s changed notes. A create
//! answered `409` (a retry after a lost answer, another run) is found and completed.

use serde_json::{Value, json};

use crate::http::Body;
use crate::{Asset, Client, Error, Existing, Kind, Notes, Outcome, segment};

/// `projects/:id{rest}`.
fn project(client: &Client, rest: &str) -> String {
    client.url(&format!("projects/{}{rest}", segment(&client.project.path)))
}

/// The release of `tag`.
pub(crate) fn find(client: &Client, tag: &str) -> Result<Option<Existing>, Error> {
    let url = project(client, &format!("/releases/{}", segment(tag)));
    let answer = client.http.send("GET", &url, &Body::Empty)?;
    match answer.status {
        200 => Ok(Some(existing(&answer.json()))),
        404 => Ok(None),
        _ => Err(client.error("look up the release", &answer)),
    }
}

fn existing(release: &Value) -> Existing {
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    let links = release["assets"]["links"].as_array().cloned().unwrap_or_default();
    Existing {
        url: text(&release["_links"]["self"]),
        draft: false,
        name: text(&release["name"]),
        body: text(&release["description"]),
        prerelease: false,
        assets: links.iter().map(|link| text(&link["name"])).collect(),
    }
}

/// Uploads the files the release lacks, then creates it with their links, or adds the
/// links and updates its notes.
pub(crate) fn publish(client: &Client, notes: &Notes, assets: &[Asset]) -> Result<Outcome, Error> {
    let found = find(client, notes.tag)?;
    if let Some(found) =
        found.as_ref().filter(|found| found.matches(Kind::Gitlab, notes, &crate::names(assets)))
    {
        return Ok(Outcome::Unchanged(found.url.clone()));
    }
    let missing = match &found {
        Some(found) => found.missing(assets),
        None => assets.iter().collect(),
    };
    let mut links = Vec::new();
    for asset in missing {
        links.push(upload(client, notes.tag, asset)?);
    }
    let Some(found) = found else {
        let fields = json!({
            "tag_name": notes.tag,
            "name": notes.name,
            "description": notes.body,
            "assets": { "links": links },
        });
        let answer =
            client.http.send("POST", &project(client, "/releases"), &Body::Json(fields))?;
        return match answer.status {
            201 => Ok(Outcome::Created(existing(&answer.json()).url)),
            // Created meanwhile: by this call when its answer was lost, or by another run.
            409 => match find(client, notes.tag)? {
                Some(found) if found.matches(Kind::Gitlab, notes, &crate::names(assets)) => {
                    Ok(Outcome::Created(found.url))
                }
                _ => publish(client, notes, assets),
            },
            _ => Err(client.error("create the release", &answer)),
        };
    };
    let release = project(client, &format!("/releases/{}", segment(notes.tag)));
    for link in links {
        let answer =
            client.http.send("POST", &format!("{release}/assets/links"), &Body::Json(link))?;
        // "has already been taken": a retry whose first answer was lost.
        if answer.status != 201 && !answer.body.contains("already been taken") {
            return Err(client.error("link an asset to the release", &answer));
        }
    }
    let mut url = found.url.clone();
    if found.name != notes.name || found.body.trim_end() != notes.body.trim_end() {
        let fields = json!({ "name": notes.name, "description": notes.body });
        let answer = client.http.send("PUT", &release, &Body::Json(fields))?;
        if answer.status != 200 {
            return Err(client.error("update the release", &answer));
        }
        url = existing(&answer.json()).url;
    }
    Ok(Outcome::Updated(url))
}

/// Puts `asset` in the generic package `{project name}` at version `tag` and returns its
/// release link.
fn upload(client: &Client, tag: &str, asset: &Asset) -> Result<Value, Error> {
    let package = client.project.path.rsplit('/').next().unwrap_or("release");
    // Package versions allow letters, digits, `.`, `_`, `+` and `-`.
    let version = tag.replace(|c: char| !c.is_ascii_alphanumeric() && !"._+-".contains(c), "-");
    let file = segment(&asset.name);
    let url = project(
        client,
        &format!("/packages/generic/{}/{}/{file}", segment(package), segment(&version)),
    );
    let body = Body::Bytes { content_type: "application/octet-stream", bytes: &asset.bytes };
    let answer = client.http.send("PUT", &url, &body)?;
    if answer.status != 201 {
        return Err(
            client.error(&format!("upload {} to the package registry", asset.name), &answer)
        );
    }
    Ok(json!({
        "name": asset.name,
        "url": url,
        "link_type": "package",
        "direct_asset_path": format!("/{}", asset.name),
    }))
}
