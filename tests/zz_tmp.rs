use obsdebt::check::{self, CheckOptions};
#[test]
#[ignore]
fn unresolved_breakdown() {
    let dir = std::env::var("DIR").unwrap();
    std::env::set_current_dir(&dir).unwrap();
    let opts = CheckOptions {
        paths: vec![".".into()],
        ..Default::default()
    };
    let out = check::run(&opts).unwrap();
    eprintln!("{:?}", out.report.call_graph);
}
