#![warn(missing_docs)]
//! The renown event model.
//!
//! Every reader turns its records into [`Event`]s (and optionally [`Profile`]s); the store keeps
//! them; the graph stage interns accounts to dense integers. Nothing downstream of the readers
//! knows which platform format an event came from.

mod cancel;
pub mod civil;
mod event;
mod text;
mod time;
pub mod url;

pub use cancel::{Cancel, CancelOnDrop};
pub use compact_str::CompactString;
pub use event::{
    identity_at, AccountRef, Deletion, Event, Kind, Profile, ProfileFacts, Record, SuggestedLink,
    DEFAULT_KIND_WEIGHTS, ENGAGEMENT_KINDS,
};
pub use text::escape_controls;
pub use time::{check_range, format_time, parse_time, write_time, TimeError, MAX_TIME, MIN_TIME};
