//! GitLab's Releases API v4 and generic packages as the fake forge serves it: the
//! project's id is its URL-encoded path, assets are links, a second create is `409`.

use serde_json::{Value, json};

use super::{PROJECT, State, create, decode, find, take_id, update};
use crate::http::Request;

pub(super) fn serve(state: &mut State, url: &str, request: &Request, body: &Value) -> (u16, Value) {
    let not_found = (404, json!({ "message": "404 Not Found" }));
    let project = PROJECT.replace('/', "%2F");
    let target = request.target.as_str();
    let Some(rest) = target.strip_prefix(&format!("/api/v4/projects/{project}/")) else {
        return not_found;
    };
    let parts: Vec<&str> = rest.split('/').collect();
    let view = |release: &Value| {
        let tag = release["tag_name"].as_str().unwrap_or_default();
        let links: Vec<Value> = release["links"].as_array().cloned().unwrap_or_default();
        json!({
            "tag_name": tag, "name": release["name"], "description": release["body"],
            "upcoming_release": false,
            "_links": { "self": format!("{url}/{PROJECT}/-/releases/{tag}") },
            "assets": { "count": links.len(), "sources": [], "links": links },
        })
    };
    match (request.method.as_str(), parts.as_slice()) {
        ("PUT", ["packages", "generic", package, version, file]) => {
            let path = format!("/projects/{project}/packages/generic/{package}/{version}/{file}");
            state.packages.insert(path, request.body.clone());
            (201, json!({ "message": "201 Created" }))
        }
        ("GET", ["releases", tag]) => {
            let tag = decode(tag);
            let found = state.releases.iter().find(|r| r["tag_name"] == tag.as_str()).cloned();
            found.map_or(not_found, |release| (200, view(&release)))
        }
        ("POST", ["releases"]) => {
            let Some(tag) = body["tag_name"].as_str() else {
                return (400, json!({ "error": "tag_name is missing" }));
            };
            if find(state, tag).is_some() {
                return (409, json!({ "message": "Release already exists" }));
            }
            let mut release = create(state, body, "description", false);
            let mut links = Vec::new();
            for link in body["assets"]["links"].as_array().into_iter().flatten() {
                if link["name"].is_null() || link["url"].is_null() {
                    return (
                        400,
                        json!({ "error": "assets[links][name], assets[links][url] are missing" }),
                    );
                }
                links.push(gitlab_link(state, url, tag, link));
            }
            release["links"] = Value::from(links);
            *find(state, tag).expect("just created") = release.clone();
            (201, view(&release))
        }
        ("POST", ["releases", tag, "assets", "links"]) => {
            let tag = decode(tag);
            if find(state, &tag).is_none() {
                return not_found;
            }
            let link = gitlab_link(state, url, &tag, body);
            let release = find(state, &tag).expect("found");
            let links = release["links"].as_array_mut().expect("links");
            if links.iter().any(|existing| existing["name"] == body["name"]) {
                return (400, json!({ "message": { "name": ["has already been taken"] } }));
            }
            links.push(link.clone());
            (201, link)
        }
        ("PUT", ["releases", tag]) => {
            let tag = decode(tag);
            let Some(release) = find(state, &tag) else { return not_found };
            update(release, body, "description");
            let release = release.clone();
            (200, view(&release))
        }
        _ => not_found,
    }
}

fn gitlab_link(state: &mut State, url: &str, tag: &str, link: &Value) -> Value {
    let id = take_id(state);
    let path = link["direct_asset_path"].as_str().unwrap_or_default();
    json!({
        "id": id, "name": link["name"], "url": link["url"],
        "link_type": link["link_type"].as_str().unwrap_or("other"),
        "direct_asset_url": format!("{url}/{PROJECT}/-/releases/{tag}/downloads{path}"),
    })
}
