//! Test-only helpers shared by the unit tests of several modules.

use proptest::prelude::ProptestConfig;
use proptest::test_runner::FileFailurePersistence;

/// A proptest configuration of `cases` cases whose failures are kept beside
/// the test's own source file (`<file>.proptest-regressions`), not in a
/// top-level folder.
pub(crate) fn proptest_config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..ProptestConfig::default()
    }
}
