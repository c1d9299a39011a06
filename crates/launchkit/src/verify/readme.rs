//! The `readme` step: the rust code blocks of each library's published README, the first
//! code a user copies, compile and run as doc tests of the project the install step
//! built, against the released crates.
//!
//! Each block goes into a module of its own (`#[doc = include_str!(..)] mod readme_N {}`),
//! so a failing doc test names its block, and with it the README line to point at. Blocks
//! keep their info string, so `no_run`, `ignore` or `should_panic` mean what rustdoc says.

use launchkit_report::{Finding, Severity};
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use xshell::cmd;

use super::{CrateVersion, Ctx};
use crate::preflight::{Outcome, ToolRun, diagnostics};

/// A rust code block: its info string, its code, and the 1-based line of its fence.
#[derive(Debug, PartialEq, Eq)]
struct Block {
    info: String,
    code: String,
    line: u32,
}

/// Where a generated module's block came from.
struct Origin<'a> {
    krate: &'a CrateVersion,
    readme: String,
    line: u32,
}

/// Runs every README's rust blocks as doc tests; one finding per failing block.
pub fn check(ctx: &Ctx) -> anyhow::Result<Outcome> {
    let project = ctx.project.borrow();
    let Some(project) = project.as_ref().filter(|project| !project.packages.is_empty()) else {
        return Ok(Outcome::skipped("the install step built no project to run them in"));
    };
    let mut notes = Vec::new();
    let mut origins = Vec::new();
    let mut lib = String::from("//! The READMEs' examples, one module per code block.\n");
    std::fs::create_dir_all(project.dir.join("readme"))?;
    for krate in ctx.published() {
        let package = project.packages.iter().find(|package| {
            package.name.as_str() == krate.name && package.version == krate.version
        });
        let Some(package) = package.filter(|package| package.targets.iter().any(|t| t.is_lib()))
        else {
            continue;
        };
        let (Some(path), Some(raw)) = (package.readme(), package.readme.as_ref()) else {
            notes.push(note(krate, "has no README"));
            continue;
        };
        let blocks = rust_blocks(&std::fs::read_to_string(&path)?);
        if blocks.is_empty() {
            notes.push(note(krate, "has no rust code block in its README"));
        }
        let readme = match &krate.member_dir {
            Some(dir) => format!("{dir}/{raw}"),
            None => format!("{}-{}/{raw}", krate.name, krate.version),
        };
        for block in blocks {
            let index = origins.len();
            let text = format!("```{}\n{}```\n", block.info, block.code);
            std::fs::write(project.dir.join(format!("readme/{index}.md")), text)?;
            lib.push_str(&format!(
                "#[doc = include_str!(\"../readme/{index}.md\")]\npub mod readme_{index} {{}}\n"
            ));
            origins.push(Origin { krate, readme: readme.clone(), line: block.line });
        }
    }
    if origins.is_empty() {
        return Ok(Outcome::skipped("no README of the release has a rust code block"));
    }
    std::fs::write(project.dir.join("src/lib.rs"), lib)?;
    let cargo = &ctx.cargo;
    let _dir = ctx.sh.push_dir(&project.dir);
    let cmd =
        cmd!(ctx.sh, "{cargo} test --doc").env("CARGO_TARGET_DIR", project.dir.join("target"));
    let run = ToolRun::capture(cmd, cargo)?;
    let mut findings = failures(&run, &origins);
    findings.extend(notes);
    Ok(Outcome::from_run(run, findings))
}

fn note(krate: &CrateVersion, what: &str) -> Finding {
    Finding::new(
        Severity::Note,
        format!("`{}` {} {what}: nothing to run", krate.name, krate.version),
    )
}

/// One finding per failed doc test, at its block's README line.
fn failures(run: &ToolRun, origins: &[Origin]) -> Vec<Finding> {
    run.output
        .lines()
        .filter_map(|line| diagnostics::doc_test_header(line.trim()))
        .filter_map(|(_, item, _)| {
            origins.get(item.strip_prefix("readme_")?.parse::<usize>().ok()?)
        })
        .map(|origin| {
            Finding::error(format!(
                "the README example of `{}` {} fails as a doc test against the published crate",
                origin.krate.name, origin.krate.version
            ))
            .at(&origin.readme, origin.line)
            .rule("verify::readme")
            .fix("fix the example (cargo's output shows the error) and release a patch")
        })
        .collect()
}

/// The fenced code blocks whose info string says `rust`.
fn rust_blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut current: Option<Block> = None;
    for (event, range) in Parser::new(text).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if info.split([',', ' ', '\t']).any(|word| word == "rust") =>
            {
                let line = text[..range.start].matches('\n').count() as u32 + 1;
                current = Some(Block { info: info.to_string(), code: String::new(), line });
            }
            Event::Text(code) => {
                if let Some(block) = &mut current {
                    block.code.push_str(&code);
                }
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
            _ => {}
        }
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_rust_fences_are_examples_and_keep_their_line_and_attributes() {
        let text = "# demo\n\n```toml\n[dependencies]\n```\n\n```rust\nlet x = 1;\n```\n\n    indented();\n\n```rust,no_run\nfn main() {}\n```\n\n```\nplain\n```\n";
        let blocks = rust_blocks(text);
        assert_eq!(
            blocks,
            [
                Block { info: "rust".into(), code: "let x = 1;\n".into(), line: 7 },
                Block { info: "rust,no_run".into(), code: "fn main() {}\n".into(), line: 13 },
            ]
        );
    }
}
