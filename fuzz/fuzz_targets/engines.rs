//! The two YAML layers on arbitrary bytes: the event layer must read every
//! input the serde layer reads (the same registry, or errors at the same
//! places), as `tests/clients/yaml_suite.rs` checks on the yaml-test-suite.
#![no_main]

#[path = "../../tests/common/engines.rs"]
mod engines;

use nhi_own::registry::Engine;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if engines::uses_a_fixed_feature(&String::from_utf8_lossy(data)) {
        return;
    }
    let events = engines::outcome("a.yaml", data, Engine::Events);
    let serde = engines::outcome("a.yaml", data, Engine::Serde);
    assert!(
        engines::agree(&events, &serde),
        "the YAML layers disagree:\n  events: {events:?}\n  serde:  {serde:?}"
    );
});
