//! `docs/rules/<rule>.md` are generated from each rule's registry entry and documentation (the single source that
//! `obsdebt rule NAME` prints and SARIF links to). Refresh with `OBSDEBT_BLESS=1 cargo test --test docs`.

use std::path::PathBuf;

fn page(rule: &obsdebt::rule::Rule) -> String {
    let level = match rule.default_level {
        obsdebt::rule::Level::Error => "error",
        obsdebt::rule::Level::Warn => "warn",
        obsdebt::rule::Level::Off => "off",
    };
    format!(
        "<!-- Generated from src/rules/{}.md and the registry in src/rule.rs by `OBSDEBT_BLESS=1 cargo test --test docs`; do not edit. -->\n# `{}`\n\n{}.\n\nDefault level: `{level}`. In logging coverage: {}.\n\n{}",
        rule.name.replace('-', "_"),
        rule.name,
        {
            let mut s = rule.summary.chars();
            s.next().map(|c| c.to_uppercase().collect::<String>() + s.as_str()).unwrap_or_default()
        },
        rule.counted.as_str(),
        rule.doc
    )
}

#[test]
fn rule_pages_match_the_rules() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
    let bless = std::env::var_os("OBSDEBT_BLESS").is_some();
    if bless {
        std::fs::create_dir_all(&dir).unwrap();
    }
    for rule in obsdebt::rule::ALL {
        let path = dir.join(format!("{}.md", rule.name));
        let want = page(rule);
        if bless {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(
            have,
            want,
            "{} is out of date: OBSDEBT_BLESS=1 cargo test --test docs",
            path.display()
        );
    }
    let pages = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(pages, obsdebt::rule::ALL.len(), "a page in docs/rules/ has no rule");
}

#[test]
fn the_readmes_rules_table_is_the_registry() {
    const START: &str =
        "<!-- rules table: generated from src/rule.rs by `OBSDEBT_BLESS=1 cargo test --test docs` -->\n";
    const END: &str = "<!-- end of rules table -->";
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (Some(a), Some(b)) = (readme.find(START), readme.find(END)) else {
        panic!("README.md lacks the rules table markers");
    };
    let mut table = String::from("| rule | default | in coverage | what it finds |\n|---|---|---|---|\n");
    for rule in obsdebt::rule::ALL {
        table.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            rule.name,
            rule.default_level.as_str(),
            rule.counted.as_str(),
            rule.summary.replace('|', "\\|")
        ));
    }
    let want = format!("{}{START}{table}{}", &readme[..a], &readme[b..]);
    if std::env::var_os("OBSDEBT_BLESS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap();
    assert!(
        have == want,
        "README's rules table is out of date: OBSDEBT_BLESS=1 cargo test --test docs"
    );
}
