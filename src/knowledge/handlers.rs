//! What marks a request handler and what runs only once (`rules/handlers.toml`).

use serde::Deserialize;

use super::{Glob, PathPattern};

pub const HANDLERS_TOML: &str = include_str!("../../rules/handlers.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    attributes: Attributes,
    registration: Registration,
    extractors: Extractors,
    middleware: Middleware,
    startup: Startup,
    once: Once,
    framework: Vec<Framework>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Attributes {
    routes: Vec<String>,
    markers: Vec<String>,
    openapi: Vec<String>,
    route_docs: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Registration {
    calls: Vec<String>,
    middleware_calls: Vec<String>,
    methods: Vec<String>,
    route_methods: Vec<String>,
    warp_methods: Vec<String>,
    macros: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Extractors {
    types: Vec<String>,
    crates: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Middleware {
    trait_methods: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Startup {
    functions: Vec<String>,
    attributes: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Once {
    methods: Vec<String>,
    constructors: Vec<String>,
    macros: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    pub name: String,
    pub crates: Vec<String>,
    pub advice: String,
}

#[derive(Debug, Clone)]
pub struct Handlers {
    pub route_attrs: Vec<String>,
    pub marker_attrs: Vec<String>,
    pub openapi_attrs: Vec<String>,
    pub route_doc_attrs: Vec<String>,
    pub registration_calls: Vec<String>,
    /// Registration calls that install middleware: what they register has no route of its own.
    pub middleware_calls: Vec<String>,
    pub registration_methods: Vec<String>,
    pub route_methods: Vec<String>,
    pub warp_methods: Vec<String>,
    pub registration_macros: Vec<String>,
    pub extractors: Vec<String>,
    /// Crates besides the frameworks' whose types are extractors (`axum_extra`, `http`).
    pub extractor_crates: Vec<String>,
    /// `Trait::method`s of impls that run per request (middleware, extractors).
    pub middleware_methods: Vec<String>,
    pub startup_fns: Vec<String>,
    pub startup_attrs: Vec<String>,
    pub once_methods: Vec<String>,
    pub once_constructors: Vec<PathPattern>,
    pub once_macros: Vec<String>,
    pub frameworks: Vec<Framework>,
    /// `[handlers] functions` from lint.toml: globs on `crate::module::fn` paths.
    pub custom: Vec<Glob>,
}

impl Handlers {
    pub fn defaults() -> Handlers {
        let f: File = toml::from_str(HANDLERS_TOML).expect("rules/handlers.toml is valid (checked by tests)");
        Handlers {
            route_attrs: f.attributes.routes,
            marker_attrs: f.attributes.markers,
            openapi_attrs: f.attributes.openapi,
            route_doc_attrs: f.attributes.route_docs,
            registration_calls: f.registration.calls,
            middleware_calls: f.registration.middleware_calls,
            registration_methods: f.registration.methods,
            route_methods: f.registration.route_methods,
            warp_methods: f.registration.warp_methods,
            registration_macros: f.registration.macros,
            extractors: f.extractors.types,
            extractor_crates: f.extractors.crates,
            middleware_methods: f.middleware.trait_methods,
            startup_fns: f.startup.functions,
            startup_attrs: f.startup.attributes,
            once_methods: f.once.methods,
            once_constructors: f.once.constructors.iter().map(|s| PathPattern::parse(s)).collect(),
            once_macros: f.once.macros,
            frameworks: f.framework,
            custom: Vec::new(),
        }
    }

    /// The framework a file uses, from the crates it names.
    pub fn framework_of(&self, crates: &[String]) -> Option<&Framework> {
        self.frameworks
            .iter()
            .find(|f| f.crates.iter().any(|c| crates.contains(c)))
    }

    pub fn framework(&self, name: &str) -> Option<&Framework> {
        self.frameworks.iter().find(|f| f.name == name)
    }
}
