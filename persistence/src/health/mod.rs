//! Health models, and the scores computed from them: for one account on demand or for every
//! account in one batch. Signals are gathered with one grouped query per kind of signal, so a
//! batch over ten thousand accounts costs a dozen queries plus its inserts.

pub mod compute;
pub mod model;
pub mod score;
