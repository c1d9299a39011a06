//! GitHub's release API (REST, 2022-11-28) as the fake forge serves it: the tag look-up
//! hides drafts, uploads go raw to the release's `upload_url`, published releases are
//! immutable.

use serde_json::{Value, json};

use super::{PROJECT, State, bytes_of, create, decode, find, take_id, update};
use crate::http::{Request, header};

/// A release in GitHub's and Gitea's shape.
pub(super) fn drafted_view(url: &str, web: &str, release: &Value, upload: Option<&str>) -> Value {
    let tag = release["tag_name"].as_str().unwrap_or_default();
    let id = &release["id"];
    let page = match release["draft"].as_bool() {
        Some(true) => format!("{web}/{PROJECT}/releases/tag/untagged-{id}"),
        _ => format!("{web}/{PROJECT}/releases/tag/{tag}"),
    };
    let assets: Vec<Value> = release["assets"].as_array().into_iter().flatten().map(|asset| {
        json!({ "id": asset["id"], "name": asset["name"], "size": bytes_of(&asset["bytes"]).len(),
            "state": "uploaded", "browser_download_url": format!("{web}/{PROJECT}/releases/download/{tag}/{}", asset["name"].as_str().unwrap_or_default()) })
    }).collect();
    let mut view = json!({
        "id": id, "tag_name": tag, "name": release["name"], "body": release["body"],
        "draft": release["draft"], "prerelease": release["prerelease"], "html_url": page,
        "url": format!("{url}/repos/{PROJECT}/releases/{id}"), "assets": assets,
    });
    if let Some(upload) = upload {
        view["upload_url"] =
            Value::from(format!("{upload}/repos/{PROJECT}/releases/{id}/assets{{?name,label}}"));
    }
    view
}

fn not_found_github() -> (u16, Value) {
    (
        404,
        json!({ "message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404" }),
    )
}

pub(super) fn serve(state: &mut State, url: &str, request: &Request, body: &Value) -> (u16, Value) {
    let target = request.target.as_str();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let view = |release: &Value| {
        drafted_view(url, "https://github.com", release, Some(&format!("{url}/uploads")))
    };
    let method = request.method.as_str();
    if let Some(id) = path
        .strip_prefix(&format!("/uploads/repos/{PROJECT}/releases/"))
        .and_then(|rest| rest.strip_suffix("/assets"))
    {
        if method != "POST" {
            return not_found_github();
        }
        let name = query.split('&').find_map(|pair| pair.strip_prefix("name=")).map(decode);
        let (Some(name), Some(_)) = (name, header(&request.headers, "content-type")) else {
            return (
                422,
                json!({ "message": "Validation Failed", "errors": [{ "resource": "ReleaseAsset", "code": "missing_field", "field": "name" }] }),
            );
        };
        let id: u64 = id.parse().unwrap_or(0);
        let asset_id = take_id(state);
        let Some(release) = state.releases.iter_mut().find(|release| release["id"] == id) else {
            return not_found_github();
        };
        if release["draft"] == false {
            return (422, json!({ "message": "Cannot upload assets to an immutable release." }));
        }
        let assets = release["assets"].as_array_mut().expect("assets");
        if assets.iter().any(|asset| asset["name"] == name.as_str()) {
            return (
                422,
                json!({ "message": "Validation Failed", "errors": [{ "resource": "ReleaseAsset", "code": "already_exists", "field": "name" }] }),
            );
        }
        assets.push(json!({ "id": asset_id, "name": name, "bytes": request.body }));
        return (
            201,
            json!({ "id": asset_id, "name": name, "size": request.body.len(), "state": "uploaded" }),
        );
    }
    let Some(rest) = path.strip_prefix(&format!("/repos/{PROJECT}/releases")) else {
        return not_found_github();
    };
    match (method, rest) {
        ("GET", "") => {
            let first = query.contains("page=1") || !query.contains("page=");
            let list: Vec<Value> =
                if first { state.releases.iter().map(view).collect() } else { Vec::new() };
            (200, Value::from(list))
        }
        ("GET", tag) if tag.starts_with("/tags/") => {
            let tag = decode(&tag["/tags/".len()..]);
            let found = state
                .releases
                .iter()
                .find(|r| r["tag_name"] == tag.as_str() && r["draft"] == false);
            found.map_or_else(not_found_github, |release| (200, view(release)))
        }
        ("POST", "") => {
            let Some(tag) = body["tag_name"].as_str() else {
                return (
                    422,
                    json!({ "message": "Validation Failed", "errors": [{ "resource": "Release", "field": "tag_name", "code": "missing_field" }] }),
                );
            };
            if find(state, tag).is_some() {
                let error =
                    json!({ "resource": "Release", "code": "already_exists", "field": "tag_name" });
                return (422, json!({ "message": "Validation Failed", "errors": [error] }));
            }
            let draft = body["draft"].as_bool().unwrap_or(false);
            (201, view(&create(state, body, "body", draft)))
        }
        ("DELETE", id) if id.starts_with("/assets/") => {
            let id: u64 = id["/assets/".len()..].parse().unwrap_or(0);
            for release in &mut state.releases {
                let assets = release["assets"].as_array_mut().expect("assets");
                if let Some(at) = assets.iter().position(|asset| asset["id"] == id) {
                    assets.remove(at);
                    return (204, Value::Null);
                }
            }
            not_found_github()
        }
        ("GET", id) if id.len() > 1 && id[1..].bytes().all(|b| b.is_ascii_digit()) => {
            let id: u64 = id[1..].parse().unwrap_or(0);
            let found = state.releases.iter().find(|r| r["id"] == id);
            found.map_or_else(not_found_github, |release| (200, view(release)))
        }
        ("PATCH", id) => {
            let id: u64 = id.trim_start_matches('/').parse().unwrap_or(0);
            let Some(release) = state.releases.iter_mut().find(|r| r["id"] == id) else {
                return not_found_github();
            };
            update(release, body, "body");
            (200, view(release))
        }
        _ => not_found_github(),
    }
}
