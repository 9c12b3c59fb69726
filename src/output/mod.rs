//! Output: JSON records (`clean.jsonl`, `rejected.jsonl`), the run report, and the
//! sinks that write them under temporary names until the run is complete.

mod record;
mod report;
mod sink;

pub use record::{Rejection, write_bad, write_cleaned};
pub use report::{Report, RuleCount};
pub use sink::{Sink, SinkTarget};
